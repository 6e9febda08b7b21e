"""Traditional Chinese (Taiwan): English template -> translation.

The wording follows the team's "SSE Stream 測試指南": its category names, success criteria,
section names and the test script's output lines are quoted as the guide writes them.
"""

CATALOG: dict[str, str] = {
    # The guide's troubleshooting categories and what to do (doctor/model.py)
    "Services not running": "服務未運行",
    "Make sure MongoDB, the backend, the Docker engine and the base image are up.": (
        "確保服務運行：MongoDB、後端、Docker 引擎和基礎映像檔都必須就緒。"
    ),
    "Connection timeout": "連線超時",
    "Check the Docker network settings.": "檢查 Docker 網路設定。",
    "403/404 error": "403/404 錯誤",
    "Check the project ID and permissions.": "檢查專案 ID 和權限。",
    "503 error": "503 錯誤",
    "The container may not be started, or the AI Server is not running.": (
        "容器可能未啟動或 AI Server 未運行。"
    ),
    "No events": "沒有事件",
    "Check whether the AI Server records task_logs correctly.": (
        "檢查 AI Server 是否正確記錄 task_logs。"
    ),
    "Stream did not end normally": "串流未正常結束",
    "Look at the [SSE] lines of the backend log where the stream stopped.": (
        "查看後端日誌中串流中斷處的 [SSE] 行。"
    ),
    "Final status not DONE or FAILED": "最終狀態不是 DONE 或 FAILED",
    "Query the run again; the Agent may still be working or be stuck.": (
        "再查詢一次 Run 的狀態；Agent 可能仍在執行，或已經卡住。"
    ),
    # The guide's six success criteria (doctor/model.py)
    "SSE connection established": "能夠成功建立 SSE 連線",
    "`event: log` events received": "能夠接收到 `event: log` 事件",
    "log content `data: ...` received": "能夠接收到日誌內容 `data: ...`",
    "`event: status` completion event received": "能夠接收到 `event: status` 完成事件",
    "stream ended normally, not cut off by an error": "串流正常結束（不是因為錯誤中斷）",
    "final status query shows DONE or FAILED": "最終狀態查詢顯示 DONE 或 FAILED",
    # Layer headings (doctor/model.py); product names stay as they are
    "MongoDB": "MongoDB",
    "Docker engine": "Docker 引擎",
    "Base image": "基礎映像檔",
    "Backend API": "後端 API",
    "Containers": "容器",
    "AI Server": "AI Server",
    "SSE stream": "SSE 串流",
    # How a finding knows what it says (doctor/model.py)
    "observed": "觀察到",
    "inferred": "推斷",
    # Check titles
    "MongoDB answers": "MongoDB 有回應",
    "Docker engine answers": "Docker 引擎有回應",
    "MongoDB container": "MongoDB 容器",
    "Where each part runs": "各元件在哪裡運行",
    "Base image exists": "基礎映像檔存在",
    "Backend answers": "後端有回應",
    "Login": "登入",
    "Project list": "專案列表",
    "Project in MongoDB": "MongoDB 中的專案",
    "Project is READY": "專案狀態為 READY",
    "Project containers": "專案容器",
    "Project container runs": "專案容器運行中",
    "The agent's environment": "Agent 的環境變數",
    "The Docker network": "Docker 網路",
    "The backend reaches the container": "後端連得到容器",
    "AI Server answers /health": "AI Server 回應 /health",
    "Run to watch": "要觀察的 Run",
    "Backend log of the run": "Run 的後端日誌",
    "AI Server's own stream": "AI Server 自己的串流",
    "AI Server knows the run": "AI Server 查得到 Run",
    "Final run status": "Run 的最終狀態",
    "PostgreSQL from the container": "從容器連 PostgreSQL",
    # The catalogue of problems (doctor/catalogue.py): each title, then its fix
    "MongoDB does not answer": "MongoDB 沒有回應",
    "start MongoDB (docker start <its container>, or docker run -d -p 27017:27017 mongo:7)": (
        "啟動 MongoDB（docker start <它的容器>，或 docker run -d -p 27017:27017 mongo:7）"
    ),
    "MongoDB does not answer in time": "MongoDB 沒有及時回應",
    "restart MongoDB; check what blocks it": "重新啟動 MongoDB；檢查是什麼卡住了它",
    "MongoDB refuses the doctor's credentials": "MongoDB 拒絕 sse-doctor 的認證資訊",
    "fix the user, password or authSource in --mongo-uri; the backend may use others": (
        "修正 --mongo-uri 中的使用者、密碼或 authSource；後端可能用的是其他認證資訊"
    ),
    "The MongoDB container is not running": "MongoDB 容器未運行",
    "docker start <its container>": "docker start <它的容器>",
    "The project is not in MongoDB": "MongoDB 中沒有這個專案",
    "check --mongo-db: it must be the backend's MONGODB_DATABASE": (
        "檢查 --mongo-db：它必須是後端的 MONGODB_DATABASE"
    ),
    "The Docker engine does not answer": "Docker 引擎沒有回應",
    "start Docker (dockerd, systemctl start docker, or Docker Desktop)": (
        "啟動 Docker（dockerd、systemctl start docker，或 Docker Desktop）"
    ),
    "No permission on the Docker socket": "沒有 Docker socket 的存取權限",
    "add the user to the docker group, or use Docker Desktop": (
        "將使用者加入 docker 群組，或改用 Docker Desktop"
    ),
    "The ssh:// engine cannot be used": "無法使用 ssh:// 引擎",
    (
        "pip install 'sse-doctor[ssh]'; ssh to the host once (known_hosts), with a key the ssh "
        "agent or ~/.ssh/config names"
    ): (
        "pip install 'sse-doctor[ssh]'；先 ssh 到該主機一次（寫入 known_hosts），並使用 ssh agent "
        "或 ~/.ssh/config 指定的金鑰"
    ),
    "The base image is not built": "基礎映像檔尚未建置",
    (
        "docker build -t refactor-base:latest -f devops/base-image/Dockerfile . (needed to "
        "provision new projects only)"
    ): (
        "docker build -t refactor-base:latest -f devops/base-image/Dockerfile . （只有 provision "
        "新專案時才需要）"
    ),
    "The backend is not running": "後端未運行",
    "start the backend (uvicorn app.main:app --port 8000, or compose up)": (
        "啟動後端（uvicorn app.main:app --port 8000，或 compose up）"
    ),
    "The backend is stuck": "後端卡住了",
    "restart the backend and read its log: something blocks its event loop": (
        "重新啟動後端並查看它的日誌：有東西卡住了它的 event loop"
    ),
    "Something else answers at --backend-url": "--backend-url 回應的不是後端",
    "check --backend-url and --api-prefix": "檢查 --backend-url 和 --api-prefix",
    "The backend fails with a server error": "後端發生伺服器錯誤",
    "read the backend's log for the exception": "查看後端日誌中的例外",
    "The backend's container does not exist": "後端的容器不存在",
    "check the name with docker ps -a (compose names it refactor-api)": (
        "用 docker ps -a 確認名稱（compose 將它命名為 refactor-api）"
    ),
    "The login is refused": "登入被拒",
    "check --username or --email and --password": "檢查 --username 或 --email，以及 --password",
    "The backend logs in by username": "後端以使用者名稱登入",
    "pass --username (or SSE_DOCTOR_USERNAME)": "請用 --username（或 SSE_DOCTOR_USERNAME）指定",
    "The backend logs in by email": "後端以電子郵件登入",
    "pass --email (or SSE_DOCTOR_EMAIL)": "請用 --email（或 SSE_DOCTOR_EMAIL）指定",
    "The token is refused": "token 被拒",
    "log in again, or pass a fresh --token": "重新登入，或用 --token 提供新的 token",
    "The project does not exist": "專案不存在",
    "check --project against `sse-doctor runs` or the project list": (
        "對照 `sse-doctor runs` 或專案列表檢查 --project"
    ),
    "The project belongs to another user": "專案屬於其他使用者",
    "log in as the project's owner, or choose your own project": (
        "以專案擁有者的身分登入，或選擇你自己的專案"
    ),
    "The project is not READY": "專案不是 READY",
    "provision the project until it is READY": "provision 專案，直到狀態為 READY",
    "No READY project": "沒有 READY 的專案",
    "create and provision a project, or name one with --project": (
        "建立並 provision 一個專案，或用 --project 指定一個"
    ),
    "The project's container does not exist": "專案的容器不存在",
    "provision the project again": "重新 provision 專案",
    "The project's container is not running": "專案的容器未運行",
    "docker start refactor-project-<id>; docker logs shows why it stopped": (
        "docker start refactor-project-<id>；docker logs 可看出它停止的原因"
    ),
    "The project's container keeps restarting": "專案的容器一直重新啟動",
    "read docker logs refactor-project-<id>": "查看 docker logs refactor-project-<id>",
    "The backend runs on the host, where container names do not resolve": (
        "後端在主機上運行，主機無法解析容器名稱"
    ),
    (
        "run the backend in compose on refactor-network (docker compose up api); on Linux only, an "
        "/etc/hosts line mapping refactor-project-<id> to its IP on refactor-network; never on "
        "Docker Desktop"
    ): (
        "在 compose 中讓後端跑在 refactor-network 上（docker compose up api）；僅限 Linux：在 "
        "/etc/hosts 加一行，將 refactor-project-<id> 對應到它在 refactor-network 上的 IP；Docker "
        "Desktop 上絕對不行"
    ),
    "The Docker network does not exist": "Docker 網路不存在",
    (
        "docker network create refactor-network (or docker compose up, which creates it), then "
        "provision the project again"
    ): (
        "docker network create refactor-network（或執行 docker compose up，它會建立網路），"
        "然後重新 provision 專案"
    ),
    "The project's container is not on the network": "專案的容器不在該網路上",
    (
        "docker network connect refactor-network refactor-project-<id> (the backend's "
        "DOCKER_NETWORK must be refactor-network)"
    ): (
        "docker network connect refactor-network refactor-project-<id>（後端的 DOCKER_NETWORK "
        "必須是 refactor-network）"
    ),
    "The backend's container is not on the network": "後端的容器不在該網路上",
    (
        "docker network connect refactor-network <backend container> (compose puts api on "
        "refactor-network)"
    ): (
        "docker network connect refactor-network <後端容器>（compose 會把 api 放在 "
        "refactor-network 上）"
    ),
    "The backend resolves the container but gets no answer": "後端能解析容器名稱，但得不到回應",
    "docker network inspect refactor-network; read docker logs refactor-project-<id>": (
        "docker network inspect refactor-network；查看 docker logs refactor-project-<id>"
    ),
    "The container has no ANTHROPIC_API_KEY": "容器沒有 ANTHROPIC_API_KEY",
    "set ANTHROPIC_API_KEY in the backend's .env, then provision the project again": (
        "在後端的 .env 中設定 ANTHROPIC_API_KEY，然後重新 provision 專案"
    ),
    "The container has no POSTGRES_URL": "容器沒有 POSTGRES_URL",
    (
        "set POSTGRES_URL in the backend's .env (postgresql://…@postgres:5432/…), then provision "
        "the project again"
    ): (
        "在後端的 .env 中設定 POSTGRES_URL（postgresql://…@postgres:5432/…），然後重新 provision "
        "專案"
    ),
    "The image does not set PYTHONUNBUFFERED": "映像檔沒有設定 PYTHONUNBUFFERED",
    "add ENV PYTHONUNBUFFERED=1 to devops/base-image/Dockerfile and rebuild the image": (
        "在 devops/base-image/Dockerfile 加入 ENV PYTHONUNBUFFERED=1，然後重新建置映像檔"
    ),
    "POSTGRES_URL points at the container itself": "POSTGRES_URL 指向容器自己",
    "set POSTGRES_URL to postgres:5432 on refactor-network, then provision again": (
        "將 POSTGRES_URL 設為 refactor-network 上的 postgres:5432，然後重新 provision"
    ),
    "PostgreSQL is not reachable from the container": "從容器連不到 PostgreSQL",
    (
        "start PostgreSQL on refactor-network (compose's postgres, refactor-postgres) and check "
        "POSTGRES_URL's host and port"
    ): (
        "在 refactor-network 上啟動 PostgreSQL（compose 的 postgres、refactor-postgres），並檢查 "
        "POSTGRES_URL 的主機與連接埠"
    ),
    "The AI Server does not answer": "AI Server 沒有回應",
    "read docker logs refactor-project-<id>: uvicorn did not start or crashed": (
        "查看 docker logs refactor-project-<id>：uvicorn 沒有啟動或已當掉"
    ),
    "The AI Server does not answer in time": "AI Server 沒有及時回應",
    "The AI Server does not know the run": "AI Server 查無此 Run",
    (
        "tasks live in the AI Server's memory and are lost when it restarts: choose a current run "
        "(sse-doctor runs) or start one"
    ): (
        "任務只存在 AI Server 的記憶體中，重新啟動後就會遺失：請選擇現有的 Run（sse-doctor runs）"
        "或啟動新的 Run"
    ),
    "The run FAILED": "Run 失敗（FAILED）",
    "read the run's error_message and the AI Server's log": (
        "查看 Run 的 error_message 和 AI Server 的日誌"
    ),
    "The agent has no Anthropic API key": "Agent 沒有 Anthropic API 金鑰",
    "The agent cannot use PostgreSQL": "Agent 無法使用 PostgreSQL",
    (
        "set POSTGRES_URL to a PostgreSQL the container reaches (postgres:5432 on "
        "refactor-network, not localhost)"
    ): (
        "將 POSTGRES_URL 設為容器連得到的 PostgreSQL（refactor-network 上的 postgres:5432，而不是 "
        "localhost）"
    ),
    "The run never finished": "Run 一直沒有結束",
    "query the run again; read the AI Server's log": "再查詢一次 Run；查看 AI Server 的日誌",
    "A new run could not be started": "無法啟動新的 Run",
    "read the answer's detail and the backend's log": "查看回應中的 detail 和後端日誌",
    "The backend cannot reach the AI Server": "後端連不到 AI Server",
    "start the AI Server: docker start / docker logs refactor-project-<id>": (
        "啟動 AI Server：docker start / docker logs refactor-project-<id>"
    ),
    "The backend cannot resolve the container": "後端無法解析容器名稱",
    "run the backend on refactor-network (compose), or start the container": (
        "讓後端在 refactor-network 上執行（compose），或啟動容器"
    ),
    "The AI Server died mid-stream": "AI Server 在串流中途終止",
    "The stream floods": "串流氾濫",
    "find what loops or repeats the stream (the AI Server's log, a proxy between)": (
        "找出是什麼讓串流重複或迴圈（AI Server 的日誌、中間的代理）"
    ),
    "read docker logs and docker inspect refactor-project-<id> (exit code, OOMKilled)": (
        "查看 docker logs 和 docker inspect refactor-project-<id>（結束代碼、OOMKilled）"
    ),
    "The backend sent an error event": "後端送出了錯誤事件",
    "read the backend's log at that time": "查看後端日誌在那個時間點的內容",
    "The backend wraps the stream twice": "後端把串流包裝了兩次",
    "forward the AI Server's bytes unchanged (a StreamingResponse), as 55a61f4 does": (
        "原封不動轉發 AI Server 的位元組（StreamingResponse），就像 55a61f4 的做法"
    ),
    "Only keepalive pings, no events": "只有 keepalive ping，沒有事件",
    "the agent never started: read the AI Server's log (F1)": (
        "Agent 從未開始：查看 AI Server 的日誌（F1）"
    ),
    "Events are lost between the AI Server and the backend": "事件在 AI Server 與後端之間遺失",
    "read the backend's [SSE] and 🔗 log lines": "查看後端日誌中的 [SSE] 和 🔗 行",
    "The stream carried no log events": "串流中沒有 log 事件",
    "check that the AI Server logs the run's task_logs": (
        "檢查 AI Server 是否正確記錄這個 Run 的 task_logs"
    ),
    "Something buffers the stream": "有東西緩衝了串流",
    "turn buffering off in the proxy (nginx proxy_buffering off / X-Accel-Buffering: no)": (
        "關閉代理伺服器的緩衝（nginx proxy_buffering off / X-Accel-Buffering: no）"
    ),
    "The stream is compressed": "串流經過壓縮",
    "leave text/event-stream out of compression (nginx gzip_types, middleware)": (
        "讓壓縮設定排除 text/event-stream（nginx gzip_types、middleware）"
    ),
    "The stream has the wrong content type": "串流的 Content-Type 錯誤",
    "serve it as text/event-stream": "以 text/event-stream 提供串流",
    "The stream ended without its status event": "串流結束時沒有 status 事件",
    "read the backend's log where the stream ended": "查看後端日誌中串流結束之處",
    "The connection to the backend broke": "與後端的連線中斷",
    "read the backend's and any proxy's log": "查看後端和代理伺服器的日誌",
    "The stream stalled": "串流停滯",
    (
        "something between the AI Server and the doctor holds the connection (a paused container, "
        "a partition): read the backend's log"
    ): "AI Server 與 sse-doctor 之間有東西卡住了連線（暫停的容器、網路分割）：查看後端日誌",
    "The stream endpoint does not answer": "串流端點沒有回應",
    "read the backend's log": "查看後端日誌",
    "The stream is not valid SSE": "串流不是有效的 SSE",
    "frame each event as event:/data: lines and a blank line": (
        "每個事件應由 event:/data: 行組成，並以一個空行結尾"
    ),
    "Events are slow": "事件緩慢",
    "nothing, if the agent thinks that long; otherwise see what holds events back": (
        "如果 Agent 本來就需要想那麼久，就不必處理；否則請找出是什麼擋住了事件"
    ),
    "The stream may be cached": "串流可能被快取",
    "send Cache-Control: no-cache": "送出 Cache-Control: no-cache",
    "The stream stays open after its status": "串流在 status 之後仍保持開啟",
    "end the response after event: status": "在 event: status 之後結束回應",
    "The stream was not tested": "沒有測試串流",
    "name a run (--run ID, --run latest) or start one (--new-run)": (
        "指定一個 Run（--run ID、--run latest）或啟動一個（--new-run）"
    ),
    "The doctor stopped watching first": "sse-doctor 先停止了觀察",
    "run again with a longer --stream-timeout": "用更長的 --stream-timeout 再執行一次",
    "A check got no answer in time": "檢查沒有及時得到回應",
    "see the check's own documentation": "請見該檢查本身的文件",
    "A plugin's check failed": "外掛的檢查失敗",
    "see the plugin's documentation": "請見外掛的文件",
    "A check failed unexpectedly": "檢查意外失敗",
    "report it, with the bundle of sse-doctor report": (
        "請回報這個問題，並附上 sse-doctor report 產生的報告包"
    ),
    # checks/ai_server.py
    "inside {name}": "容器 {name} 內",
    "at {url}": "位於 {url}",
    (
        "Not checked: --no-docker leaves out the container; pass --ai-url to ask the AI Server "
        "over HTTP."
    ): "未檢查：--no-docker 不檢查容器；請用 --ai-url 透過 HTTP 查詢 AI Server。",
    "No project was chosen: give --project.": "尚未選擇專案：請用 --project 指定。",
    "The Docker engine does not answer; see docker.engine.": (
        "Docker 引擎沒有回應；請見 docker.engine。"
    ),
    "Container {name} is not running; see containers.project.": (
        "容器 {name} 未運行；請見 containers.project。"
    ),
    "Container {name} stopped during the run: {state}; see sse.stream.": (
        "容器 {name} 在 Run 進行中停止了：{state}；請見 sse.stream。"
    ),
    "removed": "已移除",
    "Container {name} does not exist.": "容器 {name} 不存在。",
    "AI Server {where} does not answer /health: {reason}.": (
        "AI Server（{where}）沒有回應 /health：{reason}。"
    ),
    "Try it by hand: `{command}`; read the AI Server's log.": (
        "手動試試：`{command}`；並查看 AI Server 的日誌。"
    ),
    "AI Server {where} answers /health: {body}": "AI Server（{where}）回應了 /health：{body}",
    "No run to look for.": "沒有要查找的 Run。",
    (
        "AI Server {where} does not know run {run} (404 Task not found): its tasks live in memory "
        "and were lost when it restarted."
    ): (
        "AI Server（{where}）查無 Run {run}（404 Task not found）：它的任務只存在記憶體中，"
        "重新啟動時就遺失了。"
    ),
    "Choose a current run: `sse-doctor runs`, then --run ID; or --new-run.": (
        "請選擇現有的 Run：先用 `sse-doctor runs` 列出，再用 --run ID 指定；或用 --new-run "
        "啟動新的 Run。"
    ),
    "AI Server {where} does not answer {path}: {reason}.": (
        "AI Server（{where}）沒有回應 {path}：{reason}。"
    ),
    "AI Server {where} answered {path} with something other than a task.": (
        "AI Server（{where}）對 {path} 的回應不是任務。"
    ),
    "AI Server {where} knows run {run}: {status}.": (
        "AI Server（{where}）查得到 Run {run}：{status}。"
    ),
    "The backend's stream was not read: nothing to compare.": (
        "沒有讀取後端的串流：沒有可比對的內容。"
    ),
    "AI Server {where} does not know run {run} (404 Task not found).": (
        "AI Server（{where}）查無 Run {run}（404 Task not found）。"
    ),
    "AI Server {where} did not stream {path}: {reason}.": (
        "AI Server（{where}）沒有串流 {path}：{reason}。"
    ),
    (
        "AI Server {where} sent {sent} events for run {run}; the backend forwarded {got} before "
        "its stream ended in an error (see sse.stream)."
    ): (
        "AI Server（{where}）為 Run {run} 送出 {sent} 個事件；後端在串流因錯誤結束前轉發了 {got} 個"
        "（請見 sse.stream）。"
    ),
    (
        "AI Server {where} sent {sent} events for run {run}; the backend forwarded {got}, the same "
        "names in the same order."
    ): (
        "AI Server（{where}）為 Run {run} 送出 {sent} 個事件；後端轉發了 {got} 個，"
        "事件名稱與順序都相同。"
    ),
    (
        "The AI Server sent {sent} events, the backend forwarded {got}; the first missing is "
        "#{index} (`{name}`)."
    ): (
        "AI Server 送出 {sent} 個事件，後端轉發了 {got} 個；第一個遺失的是第 {index} 個"
        "（`{name}`）。"
    ),
    "Read the backend's log lines for the run (🔗 開始串流, ✅ SSE 串流正常結束 … 共 N 行).": (
        "查看後端日誌中這個 Run 的行（🔗 開始串流、✅ SSE 串流正常結束 … 共 N 行）。"
    ),
    # checks/backend.py
    "Start the backend: {command}": "啟動後端：{command}",
    (
        "The backend takes connections but does not answer: it is stuck, not a network problem. "
        "Restart it and read its log."
    ): "後端接受連線但沒有回應：它卡住了，不是網路問題。請重新啟動它並查看它的日誌。",
    "{url} does not exist on the backend (HTTP {status}).": "後端沒有 {url}（HTTP {status}）。",
    "Check --backend-url and --api-prefix.": "檢查 --backend-url 和 --api-prefix。",
    "{url} answered HTTP {status}: {detail}": "{url} 回應 HTTP {status}：{detail}",
    "Read the backend's log for the exception (is its MongoDB up?).": (
        "查看後端日誌中的例外（它的 MongoDB 有在運行嗎？）。"
    ),
    "{url} answered HTTP {status}.": "{url} 回應 HTTP {status}。",
    (
        "Something answers at {url}, but neither /openapi.json nor a health path ({statuses}) does "
        "as the backend would."
    ): "{url} 有服務在回應，但 /openapi.json 和健康檢查路徑（{statuses}）的回應都不像後端。",
    "Check --backend-url; the backend is started with: {command}": (
        "檢查 --backend-url；後端的啟動指令是：{command}"
    ),
    "The backend answers at {url} ({path}); its API: {api}.": (
        "後端在 {url} 有回應（{path}）；它的 API：{api}。"
    ),
    "The backend logs in by username ({source}), and only --email was given.": (
        "後端以使用者名稱登入（{source}），但只提供了 --email。"
    ),
    "Pass --username (or SSE_DOCTOR_USERNAME): sse-doctor does not guess one.": (
        "請用 --username（或 SSE_DOCTOR_USERNAME）指定：sse-doctor 不會自行猜測。"
    ),
    "The backend logs in by email ({source}), and only --username was given.": (
        "後端以電子郵件登入（{source}），但只提供了 --username。"
    ),
    "Pass --email (or SSE_DOCTOR_EMAIL).": "請用 --email（或 SSE_DOCTOR_EMAIL）指定。",
    (
        "No credentials: give --{field} and --password (or SSE_DOCTOR_{upper} and "
        "SSE_DOCTOR_PASSWORD), or a token with --token."
    ): (
        "沒有登入資訊：請提供 --{field} 和 --password（或 SSE_DOCTOR_{upper} 和 "
        "SSE_DOCTOR_PASSWORD），或用 --token 提供 token。"
    ),
    "The backend refused the login of {name}: {detail} (HTTP 401).": (
        "後端拒絕了 {name} 的登入：{detail}（HTTP 401）。"
    ),
    "Check --{field} and --password.": "檢查 --{field} 和 --password。",
    "The login answer from {url} holds no access_token.": "{url} 的登入回應中沒有 access_token。",
    "Check --api-prefix: is {url} the backend's login?": (
        "檢查 --api-prefix：{url} 真的是後端的登入端點嗎？"
    ),
    "Logged in as {name} (login by {field}).": "已以 {name} 登入（登入欄位：{field}）。",
    "The backend asks for {wanted}, not {field}, to log in (HTTP 422).": (
        "後端要求以 {wanted} 登入，而不是 {field}（HTTP 422）。"
    ),
    "Pass --{wanted}.": "請用 --{wanted} 指定。",
    "The login was refused as malformed (HTTP 422): {detail}": (
        "登入請求因格式不符被拒（HTTP 422）：{detail}"
    ),
    "The backend refused the given token: {detail} (HTTP {status}).": (
        "後端拒絕了指定的 token：{detail}（HTTP {status}）。"
    ),
    "Pass a fresh --token, or log in with --username/--email and --password.": (
        "請用 --token 提供新的 token，或改用 --username/--email 和 --password 登入。"
    ),
    "The given token is accepted (user {name}).": "後端接受指定的 token（使用者 {name}）。",
    "its /openapi.json says so": "依據它的 /openapi.json",
    "it said so": "依據它的回應",
    "Username": "使用者名稱",
    "Email": "電子郵件",
    "{label} [{default}]": "{label}（預設：{default}）",
    "Password (Enter: the guide's test account's)": "密碼（直接按 Enter：使用指南測試帳號的密碼）",
    "No run: nothing to look for in the backend's log.": "沒有 Run：後端日誌中沒有要找的內容。",
    "Cannot read the backend's log: {error}": "無法讀取後端日誌：{error}",
    (
        "No backend log: pass --backend-log FILE or --backend-container NAME (a backend container "
        "is found by itself)."
    ): (
        "沒有後端日誌：請用 --backend-log FILE 或 --backend-container NAME 指定（後端若在容器中，"
        "會自動找到）。"
    ),
    "The backend logged for run {run}: ❌ {text}": "後端日誌中 Run {run} 的紀錄：❌ {text}",
    (
        "The backend logged `✅ SSE 連線已建立，狀態碼: 404` for run {run}: the AI Server does not "
        "know it, and the backend forwarded its error body."
    ): (
        "後端日誌中 Run {run} 有 `✅ SSE 連線已建立，狀態碼: 404`：AI Server 查無此 Run，"
        "後端轉發了它的錯誤內容。"
    ),
    "{source} has no line about a stream of run {run}: is it this backend's log?": (
        "{source} 中沒有任何關於 Run {run} 串流的行：這是這個後端的日誌嗎？"
    ),
    (
        "The backend logged {count} stream of run {run}: the AI Server answered {codes}; ended "
        "normally with {lines} lines."
    ): (
        "後端日誌記錄了 Run {run} 的 {count} 次串流：AI Server 回應 {codes}；正常結束，共 "
        "{lines} 行。"
    ),
    (
        "The backend logged {count} streams of run {run}: the AI Server answered {codes}; ended "
        "normally with {lines} lines."
    ): (
        "後端日誌記錄了 Run {run} 的 {count} 次串流：AI Server 回應 {codes}；正常結束，共 "
        "{lines} 行。"
    ),
    (
        "The backend's API answers in small JSON documents: check --backend-url and --api-prefix, "
        "and what answers there."
    ): (
        "後端的 API 以小型 JSON 文件回應：請檢查 --backend-url 和 --api-prefix，"
        "以及那裡是誰在回應。"
    ),
    # checks/containers.py (a stopped container's time)
    " at {time}": "，於 {time}",
    # doctor/clients
    "its body cannot be decoded: {error}": "它的內容無法解碼：{error}",
    "{url} answered with a body that cannot be decoded: {reason}": (
        "{url} 回應的內容無法解碼：{reason}"
    ),
    # doctor/registry.py
    "{setting} (no plugin is named {names}; registered: {known})": (
        "{setting}（沒有名為 {names} 的外掛；已註冊：{known}）"
    ),
    # doctor/runner.py
    "Cancelled at the prompt: the input ended (Ctrl+D).": "已在提示中取消：輸入已結束（Ctrl+D）。",
    # doctor/stream/ending.py
    (
        "The stream floods: {lines} lines ({mib:.1f} MiB) in {seconds:.1f} s, {rate} lines a "
        "second, still coming when --stream-timeout {limit:g} s ended the watch; {spilled} lines "
        "were spilled to disk for the report and {dropped} not kept. The criteria are judged from "
        "what was seen."
    ): (
        "串流氾濫：{seconds:.1f} 秒內 {lines} 行（{mib:.1f} MiB），每秒 {rate} 行，"
        "--stream-timeout {limit:g} 秒結束觀察時仍在湧入；{spilled} 行已寫到磁碟供報告使用，"
        "{dropped} 行未保留。成功標準依已看到的內容判斷。"
    ),
    (
        "No agent logs that fast: find what loops or repeats the stream (the AI Server's log, a "
        "proxy between it and the doctor), then watch it again."
    ): (
        "沒有 Agent 會這麼快地寫日誌：找出是什麼讓串流重複或迴圈（AI Server 的日誌、"
        "它與 doctor 之間的代理），然後再觀察一次。"
    ),
    # checks/base_image.py
    "Base image {tag} does not exist: new projects cannot be provisioned.": (
        "基礎映像檔 {tag} 不存在：新專案無法 provision。"
    ),
    "Build it from the repository root: `{command}`": "在儲存庫根目錄建置它：`{command}`",
    "Base image {tag} exists (id {id}).": "基礎映像檔 {tag} 已存在（ID {id}）。",
    "Base image {tag} exists (id {id}, created {age} ago).": (
        "基礎映像檔 {tag} 已存在（ID {id}，建立於 {age} 前）。"
    ),
    # checks/container_env.py
    "The AI Server is reached over --ai-url: no project container is expected.": (
        "AI Server 透過 --ai-url 連線：不需要專案容器。"
    ),
    "Container {name} does not exist; see containers.project.": (
        "容器 {name} 不存在；請見 containers.project。"
    ),
    (
        "Image {image} does not set PYTHONUNBUFFERED=1: the AI Server's output reaches docker logs "
        "late (F1)."
    ): (
        "映像檔 {image} 沒有設定 PYTHONUNBUFFERED=1：AI Server 的輸出會延遲才出現在 docker logs"
        "（F1）。"
    ),
    "Add `ENV PYTHONUNBUFFERED=1` to the base image and rebuild it.": (
        "在基礎映像檔中加入 `ENV PYTHONUNBUFFERED=1`，然後重新建置。"
    ),
    (
        "Container {name} has {present} (names only; values are never shown){extra}; its image "
        "sets PYTHONUNBUFFERED."
    ): (
        "容器 {name} 有 {present}{extra}（只列名稱，從不顯示值）；它的映像檔有設定 "
        "PYTHONUNBUFFERED。"
    ),
    ", and {names}": "，以及 {names}",
    "Container {name} has no {variable} (or it is empty): the agent's runs fail.": (
        "容器 {name} 沒有 {variable}（或值為空）：Agent 的 Run 會失敗。"
    ),
    (
        "Set {variable} in the backend's .env, then provision the project again (the backend "
        "injects it when it creates the container)."
    ): "在後端的 .env 中設定 {variable}，然後重新 provision 專案（後端在建立容器時注入它）。",
    "Container {name} is not running.": "容器 {name} 未運行。",
    "Container {name} has no POSTGRES_URL.": "容器 {name} 沒有 POSTGRES_URL。",
    "POSTGRES_URL is not a URL: its host cannot be read.": (
        "POSTGRES_URL 不是 URL：無法讀出它的主機。"
    ),
    "POSTGRES_URL names no host.": "POSTGRES_URL 沒有指定主機。",
    "From {name}, POSTGRES_URL's {host}:{port} accepts TCP connections.": (
        "從 {name} 可以連到 POSTGRES_URL 的 {host}:{port}（接受 TCP 連線）。"
    ),
    "Cannot try POSTGRES_URL from {name}: {reason}.": "無法從 {name} 測試 POSTGRES_URL：{reason}。",
    "not resolved": "無法解析",
    (
        "POSTGRES_URL points at {host}:{port}, which inside {name} is the container itself, and "
        "nothing listens there ({error})."
    ): (
        "POSTGRES_URL 指向 {host}:{port}，而在 {name} 內那就是容器自己，那裡沒有服務在監聽"
        "（{error}）。"
    ),
    "From {name}, POSTGRES_URL's {host}:{port} cannot be reached: {error}.": (
        "從 {name} 連不到 POSTGRES_URL 的 {host}:{port}：{error}。"
    ),
    "Yet the run finished DONE: the agent reached its PostgreSQL when it ran.": (
        "不過 Run 以 DONE 結束：Agent 執行時連得到它的 PostgreSQL。"
    ),
    # checks/containers.py
    "No {prefix}* containers exist: no project is provisioned.": (
        "沒有任何 {prefix}* 容器：沒有專案完成 provision。"
    ),
    "Create a project and wait until its status is READY.": "建立一個專案，並等到狀態變成 READY。",
    "{prefix}* containers killed for memory or restarting: {count} of {total}: {names}": (
        "{prefix}* 容器中有 {count} 個（共 {total} 個）因記憶體不足被終止或正在重新啟動：{names}"
    ),
    "See why with `docker logs {name}` and `docker inspect {name}`.": (
        "用 `docker logs {name}` 和 `docker inspect {name}` 查看原因。"
    ),
    "{prefix}* containers: {total}, running: {running}.": (
        "{prefix}* 容器：共 {total} 個，運行中 {running} 個。"
    ),
    (
        "The project is not provisioned: its status must be READY before a run can stream. Check "
        "`docker ps -a | grep {prefix}`."
    ): (
        "專案尚未完成 provision：狀態必須是 READY，Run 才能串流。請檢查 `docker ps -a | grep "
        "{prefix}`。"
    ),
    "Container {name} runs but its health check fails.": "容器 {name} 在運行，但健康檢查失敗。",
    "See why with `docker logs {name}`.": "用 `docker logs {name}` 查看原因。",
    (
        "Container {name} is running: {status} (since {started}; on {networks}; memory limit "
        "{memory}; restarts {restarts})."
    ): (
        "容器 {name} 運行中：{status}（啟動於 {started}；所在網路：{networks}；記憶體上限 "
        "{memory}；重新啟動 {restarts} 次）。"
    ),
    "no network": "無",
    "Container {name} is not running: {status}": "容器 {name} 未運行：{status}",
    " (killed: out of memory, OOMKilled)": " (因記憶體不足被終止，OOMKilled)",
    " (exit code 137: killed by SIGKILL, e.g. docker kill; not out of memory)": (
        " (結束代碼 137：被 SIGKILL 終止，例如 docker kill；並非記憶體不足)"
    ),
    " (exit code 143: stopped by SIGTERM, e.g. docker stop)": (
        " (結束代碼 143：被 SIGTERM 停止，例如 docker stop)"
    ),
    "Resume it: `docker unpause {name}`.": "恢復它：`docker unpause {name}`。",
    "It keeps restarting; see why with `docker logs {name}`.": (
        "它一直在重新啟動；用 `docker logs {name}` 查看原因。"
    ),
    "Start it: `docker start {name}`; see why it stopped with `docker logs {name}`.": (
        "啟動它：`docker start {name}`；用 `docker logs {name}` 查看它停止的原因。"
    ),
    # checks/docker_engine.py
    "Docker engine {version} (API {api}) answers at {host}.": (
        "Docker 引擎 {version}（API {api}）在 {host} 有回應。"
    ),
    "The ssh:// engine cannot be used: {reason}": "無法使用 ssh:// 引擎：{reason}",
    "Permission denied on the Docker socket {host}.": "沒有 Docker socket {host} 的存取權限。",
    (
        "Add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), "
        "or use Docker Desktop."
    ): (
        "將你的使用者加入 docker 群組（`sudo usermod -aG docker $USER`，然後重新登入），或改用 "
        "Docker Desktop。"
    ),
    "The Docker engine at {host} did not answer within {seconds:g} s.": (
        "位於 {host} 的 Docker 引擎在 {seconds:g} 秒內沒有回應。"
    ),
    "Restart the Docker engine (`sudo systemctl restart docker`, or Docker Desktop).": (
        "重新啟動 Docker 引擎（`sudo systemctl restart docker`，或重新啟動 Docker Desktop）。"
    ),
    "No Docker engine is running at {host}.": "{host} 沒有運行中的 Docker 引擎。",
    "Cannot reach the Docker engine at {host}: {reason}": (
        "無法連線到位於 {host} 的 Docker 引擎：{reason}"
    ),
    (
        "Start Docker: `sudo dockerd` (or `sudo systemctl start docker`), or open Docker Desktop; "
        "then `docker info` must answer."
    ): (
        "啟動 Docker：`sudo dockerd`（或 `sudo systemctl start docker`），或開啟 Docker Desktop；"
        "之後 `docker info` 必須有回應。"
    ),
    # checks/mongodb.py
    "Nothing listens at {where} (MongoDB connection refused).": (
        "{where} 沒有服務在監聽（MongoDB 連線被拒）。"
    ),
    "Start MongoDB: {command} (if the container exists: docker start mongodb).": (
        "啟動 MongoDB：{command}（如果容器已存在：docker start mongodb）。"
    ),
    "That is the doctor's view: the backend may connect with other credentials.": (
        "這是 sse-doctor 看到的情況：後端可能用其他認證資訊連線。"
    ),
    (
        "The server at {where} answered, but the login with --mongo-uri's credentials did not "
        "complete ({error}). That is the doctor's view: the backend may connect with other "
        "credentials."
    ): (
        "{where} 的伺服器有回應，但用 --mongo-uri 的認證資訊登入沒有完成（{error}）。這是 "
        "sse-doctor 看到的情況：後端可能用其他認證資訊連線。"
    ),
    "MongoDB {version} answers at {where}.": "MongoDB {version} 在 {where} 有回應。",
    "MongoDB rejected the credentials in --mongo-uri.": "MongoDB 拒絕了 --mongo-uri 中的認證資訊。",
    "Check the user name, password and authSource in --mongo-uri (or SSE_DOCTOR_MONGO_URI).": (
        "檢查 --mongo-uri（或 SSE_DOCTOR_MONGO_URI）中的使用者名稱、密碼和 authSource。"
    ),
    "Cannot resolve the MongoDB host {where}.": "無法解析 MongoDB 主機 {where}。",
    (
        "Check the host name in --mongo-uri; a mongodb+srv:// URI needs DNS SRV records for "
        "_mongodb._tcp.<host>."
    ): (
        "檢查 --mongo-uri 中的主機名稱；mongodb+srv:// URI 需要 _mongodb._tcp.<host> 的 DNS SRV "
        "紀錄。"
    ),
    "--mongo-uri is not usable: {error}": "--mongo-uri 無法使用：{error}",
    "Fix --mongo-uri (or SSE_DOCTOR_MONGO_URI).": "修正 --mongo-uri（或 SSE_DOCTOR_MONGO_URI）。",
    "MongoDB at {where} did not answer within {seconds:g} s.": (
        "位於 {where} 的 MongoDB 在 {seconds:g} 秒內沒有回應。"
    ),
    "MongoDB at {where} is not usable: {error}": "位於 {where} 的 MongoDB 無法使用：{error}",
    "No MongoDB container: MongoDB runs outside Docker (it answers).": (
        "沒有 MongoDB 容器：MongoDB 在 Docker 之外運行（它有回應）。"
    ),
    (
        "No MongoDB container (image mongo:* or publishing port {ports}), and MongoDB does not "
        "answer."
    ): "沒有 MongoDB 容器（映像檔 mongo:* 或發佈連接埠 {ports}），MongoDB 也沒有回應。",
    "Start MongoDB: {command}": "啟動 MongoDB：{command}",
    "MongoDB's container {name} ({image}) exists but is {status} (exit code {code}).": (
        "MongoDB 的容器 {name}（{image}）存在，但狀態為 {status}（結束代碼 {code}）。"
    ),
    "Start it: docker start {name}": "啟動它：docker start {name}",
    "no port published": "未發佈連接埠",
    "MongoDB runs in container {name} ({image}; {ports}).": (
        "MongoDB 在容器 {name} 中運行（{image}；{ports}）。"
    ),
    "MongoDB cannot be read with the doctor's credentials.": (
        "無法用 sse-doctor 的認證資訊讀取 MongoDB。"
    ),
    "{id} is not an ObjectId: the backend has no such project.": (
        "{id} 不是 ObjectId：後端不會有這個專案。"
    ),
    "Reading {db}.projects failed: {error}": "讀取 {db}.projects 失敗：{error}",
    "Check the user's rights on the database in --mongo-uri and --mongo-db.": (
        "檢查 --mongo-uri 中的使用者對 --mongo-db 資料庫的權限。"
    ),
    "No project {id} in {db}.projects; is --mongo-db the backend's database?": (
        "{db}.projects 中沒有專案 {id}；--mongo-db 是後端使用的資料庫嗎？"
    ),
    "Project {id} has status {status} in MongoDB, not READY.": (
        "專案 {id} 在 MongoDB 中的狀態是 {status}，不是 READY。"
    ),
    "Project {id} is READY in {db}.projects.": "專案 {id} 在 {db}.projects 中為 READY。",
    # checks/network.py
    (
        "Docker network {name} does not exist: provisioning fails (network {name} not found) and "
        "no container can reach refactor-project-<id> by name."
    ): (
        "Docker 網路 {name} 不存在：provision 會失敗（network {name} not found），"
        "也沒有容器能以名稱連到 refactor-project-<id>。"
    ),
    (
        "Create it: `docker network create {name}` (or `docker compose up`, which creates it), "
        "then provision the project again."
    ): (
        "建立它：`docker network create {name}`（或執行 `docker compose up`，它會建立網路），"
        "然後重新 provision 專案。"
    ),
    "Docker network {name} ({driver}) exists; on it: {members}.": (
        "Docker 網路 {name}（{driver}）存在；其上的容器：{members}。"
    ),
    "no running container": "沒有運行中的容器",
    (
        "Container {name} is not on {network} (it is on {networks}): the backend cannot reach "
        "refactor-project-<id> by name across networks."
    ): (
        "容器 {name} 不在 {network} 上（它所在的網路：{networks}）：後端無法跨網路以名稱連到 "
        "refactor-project-<id>。"
    ),
    "Connect it: `docker network connect {network} {name}`.": (
        "將它連上網路：`docker network connect {network} {name}`。"
    ),
    "Where the backend runs is not known; see docker.parts.": (
        "不知道後端在哪裡運行；請見 docker.parts。"
    ),
    (
        "The backend runs on another machine than the Docker engine's: the doctor cannot ask from "
        "there."
    ): "後端與 Docker 引擎不在同一台機器上：sse-doctor 無法從後端那裡測試。",
    "The backend's container {name} is not running.": "後端的容器 {name} 未運行。",
    "Cannot ask from {name}: {reason}.": "無法從 {name} 測試：{reason}。",
    "From the backend's container {backend}, {name} does not resolve: {error}.": (
        "從後端的容器 {backend} 無法解析 {name}：{error}。"
    ),
    "Both must be on {network}: `docker network connect {network} {name}` (see network.docker).": (
        "兩個容器都必須在 {network} 上：`docker network connect {network} {name}`（請見 "
        "network.docker）。"
    ),
    (
        "From the backend's container {backend}, {name} resolves to {address} and :{port}/health "
        "answers HTTP {status}."
    ): "從後端的容器 {backend} 看，{name} 解析為 {address}，且 :{port}/health 回應 HTTP {status}。",
    "an address": "某個位址",
    (
        "From the backend's container {backend}, {name} resolves to {address}, but :{port} does "
        "not answer: {error}."
    ): "從後端的容器 {backend} 看，{name} 解析為 {address}，但 :{port} 沒有回應：{error}。",
    "Is the AI Server up? See ai_server.health and `docker logs {name}`.": (
        "AI Server 有在運行嗎？請見 ai_server.health 和 `docker logs {name}`。"
    ),
    (
        "The backend runs on the host, which cannot resolve container names, and on Docker Desktop "
        "the host cannot reach {name}'s address either."
    ): (
        "後端在主機上運行，主機無法解析容器名稱；而且在 Docker Desktop 上，主機也連不到 {name} "
        "的位址。"
    ),
    (
        "The backend runs outside Docker on the engine's host, which cannot resolve container "
        "names such as {name} (unless its /etc/hosts maps it)."
    ): (
        "後端在 Docker 之外、引擎所在的主機上運行，該主機無法解析 {name} 這類容器名稱（除非它的 "
        "/etc/hosts 有對應）。"
    ),
    (
        "The backend runs on the host, which cannot resolve container names: {name} is not in "
        "/etc/hosts, and only Docker's DNS, for containers on {network}, knows it."
    ): (
        "後端在主機上運行，主機無法解析容器名稱：/etc/hosts 中沒有 {name}，只有 Docker 的 DNS（為 "
        "{network} 上的容器）認得它。"
    ),
    (
        "/etc/hosts maps {name} to {mapped}, but the container's address is {address} (it changes "
        "when the container is created again)."
    ): (
        "/etc/hosts 將 {name} 對應到 {mapped}，但容器的位址是 {address}"
        "（容器重新建立時位址就會改變）。"
    ),
    "none": "無",
    "/etc/hosts maps {name} to {address}, but {url} does not answer from the host: {error}": (
        "/etc/hosts 將 {name} 對應到 {address}，但從主機連 {url} 沒有回應：{error}"
    ),
    (
        "The backend runs on the host; /etc/hosts maps {name} to {address}, and {url} answers HTTP "
        "{status}."
    ): "後端在主機上運行；/etc/hosts 將 {name} 對應到 {address}，且 {url} 回應 HTTP {status}。",
    (
        "Run the backend in compose on {network} (`docker compose up -d api`), where Docker's DNS "
        "resolves {name}."
    ): (
        "在 compose 中讓後端跑在 {network} 上（`docker compose up -d api`），在那裡 Docker 的 DNS "
        "能解析 {name}。"
    ),
    "On Docker Desktop an /etc/hosts entry cannot help.": (
        "在 Docker Desktop 上，/etc/hosts 的設定沒有幫助。"
    ),
    (
        "On Linux only, an /etc/hosts line `{address} {name}` works until the container is created "
        "again (never on Docker Desktop)."
    ): (
        "僅限 Linux：在 /etc/hosts 加一行 `{address} {name}`，在容器重新建立之前都有效（Docker "
        "Desktop 上無效）。"
    ),
    # checks/parts.py
    "--backend-container {name}: no such container.": "--backend-container {name}：沒有這個容器。",
    "Check the name with `docker ps -a` (compose names it refactor-api).": (
        "用 `docker ps -a` 確認名稱（compose 將它命名為 refactor-api）。"
    ),
    "PostgreSQL in {name} ({state}).": "PostgreSQL 在 {name} 中（{state}）。",
    "No PostgreSQL container (refactor-postgres or image postgres).": (
        "沒有 PostgreSQL 容器（refactor-postgres 或映像檔 postgres）。"
    ),
    "The backend runs in container {name} ({state}; found by {by}), on {networks}.": (
        "後端在容器 {name} 中運行（{state}；依 {by} 找到），所在網路：{networks}。"
    ),
    (
        "The backend at {url} runs on the host: no container publishes its port, is compose's api "
        "service or is named refactor-api."
    ): (
        "位於 {url} 的後端在主機上運行：沒有容器發佈它的連接埠、是 compose 的 api 服務，或名為 "
        "refactor-api。"
    ),
    "The backend at {url} runs on another machine than the Docker engine's.": (
        "位於 {url} 的後端與 Docker 引擎不在同一台機器上。"
    ),
    # checks/projects.py
    "{what}: the backend answered {status} {detail}.": "{what}：後端回應 {status} {detail}。",
    "Check --project: at 765d572 this also means another user's project.": (
        "檢查 --project：在 765d572，這也可能表示專案屬於其他使用者。"
    ),
    "The project list": "專案列表",
    '{url} answered neither {{"total", "projects": [...]}} nor a list.': (
        '{url} 的回應既不是 {{"total", "projects": [...]}}，也不是列表。'
    ),
    "Using project {id} (status {status}).": "使用專案 {id}（狀態 {status}）。",
    "Using project {id} as given; it is not among the {count} projects listed.": (
        "使用指定的專案 {id}；它不在列出的 {count} 個專案中。"
    ),
    "Using the only READY project, {id}.": "使用唯一處於 READY 狀態的專案 {id}。",
    "None of the {count} projects is READY ({projects}).": (
        "{count} 個專案中沒有一個處於 READY 狀態（{projects}）。"
    ),
    "Provision a project until it is READY, then name it with --project.": (
        "請先 provision 一個專案直到狀態為 READY，再用 --project 指定它。"
    ),
    "Choose a READY project (number)": "選擇一個 READY 的專案（輸入編號）",
    "No project was chosen.": "沒有選擇專案。",
    "Using project {id}, chosen at the prompt.": "使用在提示中選擇的專案 {id}。",
    "{count} projects are READY ({ids}); choose one with --project.": (
        "有 {count} 個專案處於 READY（{ids}）；請用 --project 選擇其中一個。"
    ),
    "{id!r} cannot be a project id.": "{id!r} 不可能是專案 ID。",
    "{answer!r} is not one of 1 to {count}; choose again": (
        "{answer!r} 不在 1 到 {count} 之間；請重新選擇"
    ),
    "Project {id}": "專案 {id}",
    "Project {id} is {status}, not READY{error}.": (
        "專案 {id} 的狀態是 {status}，不是 READY{error}。"
    ),
    ": {last_error}": "：{last_error}",
    "Project {id} is READY, but the backend sees its container {state}.": (
        "專案 {id} 為 READY，但後端看到它的容器狀態為 {state}。"
    ),
    "Project {id} is READY.": "專案 {id} 的狀態為 READY。",
    "{id!r} is not a run id.": "{id!r} 不是 run_id。",
    '{url} answered no {{"runs": [...]}}.': '{url} 的回應不是 {{"runs": [...]}}。',
    "Start one with --new-run (it costs LLM tokens), or name one with --run.": (
        "用 --new-run 啟動一個（會消耗 LLM token），或用 --run 指定一個。"
    ),
    (
        "Which run? Enter = the newest, y = start a new run (uses LLM tokens), n = cancel, or a "
        "run id"
    ): (
        "要使用哪個 Run？Enter = 最新的 Run，y = 啟動新的 Run（會消耗 LLM token），n = 取消，"
        "或輸入現有的 run_id"
    ),
    "Cancelled at the prompt: no run was watched.": "已在提示中取消：沒有觀察任何 Run。",
    "{answer!r} is not a run id. Press Enter to choose again": (
        "{answer!r} 不是 run_id。按 Enter 重新選擇"
    ),
    "Not starting a new run: {reason}": "不啟動新的 Run：{reason}",
    "Start a new Agent run? It costs LLM tokens [y/N]": (
        "啟動新的 Agent Run？會消耗 LLM token [y/N]"
    ),
    "Cancelled at the prompt: no run was started.": "已在提示中取消：沒有啟動 Run。",
    "Started a new run: {id}.": "已啟動新的 Run：{id}。",
    "Starting a new run failed: HTTP {status} {detail}": (
        "啟動新的 Run 失敗：HTTP {status} {detail}"
    ),
    "Starting a run": "啟動 Run",
    "run {id} as given": "指定的 Run {id}",
    "the newest run, {id}": "最新的 Run {id}",
    "run {id}, chosen at the prompt": "在提示中選擇的 Run {id}",
    "the new run {id}": "新的 Run {id}",
    "status unknown": "狀態不明",
    "; it has finished, so its stream is a replay of every log": (
        "；它已結束，所以串流會重播所有日誌"
    ),
    "Watching {how} ({status}){replay}.": "觀察{how}（{status}）{replay}。",
    "The project has no run to watch: the backend lists none.": (
        "專案沒有可觀察的 Run：後端沒有列出任何 Run。"
    ),
    "The AI Server does not answer, and the backend turns that into an empty list.": (
        "AI Server 沒有回應，而後端會把這種情況變成空列表。"
    ),
    # checks/sse_stream.py
    "No run to watch.": "沒有可觀察的 Run。",
    "Stopped with Ctrl+C after {count} events.": "收到 {count} 個事件後，已按 Ctrl+C 停止。",
    "The container now: {state}.": "容器目前的狀態：{state}。",
    "The stream delivered {count} events ({logs} `log`) and `event: status` in {seconds:.1f} s.": (
        "串流在 {seconds:.1f} 秒內送出 {count} 個事件（其中 {logs} 個 `log`）和 `event: status`。"
    ),
    "It was a replay of a finished run: the AI Server sends every log again.": (
        "這是已結束 Run 的重播：AI Server 會重新送出所有日誌。"
    ),
    "No run to query.": "沒有可查詢的 Run。",
    "The run FAILED: {error}": "Run 失敗（FAILED）：{error}",
    "no error_message": "沒有 error_message",
    "The run finished: {status}.": "Run 已結束：{status}。",
    (
        "The run is {status}: the stream was not followed to its end, so this is not a verdict on "
        "the run."
    ): "Run 的狀態是 {status}：串流沒有追蹤到結束，所以這不是對 Run 的判定。",
    "unknown": "未知",
    "The run is still {status} after its stream sent `event: status`.": (
        "串流已送出 `event: status`，但 Run 仍是 {status}。"
    ),
    "The run's status could not be read: HTTP {status} {detail}.": (
        "無法讀取 Run 的狀態：HTTP {status} {detail}。"
    ),
    "The AI Server answers /health, so it does not know the run.": (
        "AI Server 有回應 /health，所以是它查無此 Run。"
    ),
    "The other results say why.": "原因請見其他結果。",
    ", {count} restarts": "，重新啟動 {count} 次",
    (
        "The container runs but its AI Server does not listen: `docker logs {name}` shows why; "
        "`docker restart {name}` starts it again."
    ): (
        "容器在運行，但其中的 AI Server 沒有在監聽：`docker logs {name}` 可看出原因；`docker "
        "restart {name}` 可重新啟動它。"
    ),
    "See how it died: `docker inspect {name}` (ExitCode, OOMKilled) and `docker logs {name}`.": (
        "查看它是怎麼終止的：`docker inspect {name}`（ExitCode、OOMKilled）和 `docker logs "
        "{name}`。"
    ),
    (
        "Run the backend where {name} resolves: in compose, on refactor-network; see `docker "
        "network inspect refactor-network`."
    ): (
        "讓後端在能解析 {name} 的地方執行：在 compose 中、refactor-network 上；請見 `docker "
        "network inspect refactor-network`。"
    ),
    # doctor/cli/analyze.py
    "Bundle {bundle}: {files} files under {root}/, written {time} by sse-doctor {version}.": (
        "報告包 {bundle}：{root}/ 下有 {files} 個檔案，由 sse-doctor {version} 於 {time} 寫入。"
    ),
    "Recorded exit status: {code}": "記錄的結束代碼：{code}",
    "sse-doctor: warning: sha256 does not match the manifest: {names}": (
        "sse-doctor：警告：sha256 與 manifest 不符：{names}"
    ),
    "sse-doctor: warning: listed in the manifest but missing: {names}": (
        "sse-doctor：警告：manifest 有列出但檔案不存在：{names}"
    ),
    "sse-doctor: warning: not in the manifest: {names}": (
        "sse-doctor：警告：不在 manifest 中：{names}"
    ),
    "Every file matches the manifest's sha256 ({count} files).": (
        "所有檔案都符合 manifest 的 sha256（{count} 個檔案）。"
    ),
    # doctor/cli/checks.py
    "LAYER": "層級",
    "TITLE": "標題",
    "DEPENDS ON": "相依於",
    "PACKAGE": "套件",
    "layer: {layer} ({heading})": "層級：{layer}（{heading}）",
    "depends on: {ids}": "相依於：{ids}",
    "needs: {ids}": "需要：{ids}",
    "runs after: {ids}": "排在這些之後執行：{ids}",
    "uses Docker: {answer}": "使用 Docker：{answer}",
    "yes": "是",
    "no": "否",
    "package: {name}": "套件：{name}",
    # doctor/cli/collect.py
    "Collecting the report bundle…": "正在收集報告包內容…",
    # doctor/cli/demo.py
    "Demo stack ({profile}) at {url} (faults: {faults})": (
        "示範環境（{profile}）位於 {url}（注入的故障：{faults}）"
    ),
    # doctor/cli/fixing.py
    "Nothing to repair: no finding asks for a repair sse-doctor can make.": (
        "沒有要修復的項目：沒有任何發現需要 sse-doctor 能做的修復。"
    ),
    "Repairs": "修復",
    "Run `{command}`?": "要執行 `{command}` 嗎？",
    "Nothing was changed: there is no terminal to say yes at; --yes applies.": (
        "沒有做任何變更：沒有可回答 yes 的終端機；加上 --yes 即可直接套用。"
    ),
    # doctor/cli/main.py
    "sse-doctor: aborted": "sse-doctor：已中止",
    # doctor/cli/report.py
    "Report bundle: {path} ({size}, {count} files under {root}/)": (
        "報告包：{path}（{size}，{root}/ 下共 {count} 個檔案）"
    ),
    "redacted: {counts}": "已遮蔽：{counts}",
    "nothing": "無",
    "missing: {item}": "缺少：{item}",
    (
        "Please review the bundle before sharing it: secrets were redacted, but check that nothing "
        "private is left."
    ): "分享前請先檢查報告包：機密資訊已遮蔽，但仍請確認沒有留下任何私人資訊。",
    "from the environment: {names}": "來自環境變數：{names}",
    "from the settings file: {names}": "來自設定檔：{names}",
    # doctor/cli/runs.py
    "sse-doctor: the backend answered no run list.": "sse-doctor：後端沒有回傳 Run 列表。",
    (
        "No run: the AI Server keeps runs in memory (a restart forgets them), and the backend "
        "lists none when it cannot reach it. Start one with `sse-doctor run --new-run`."
    ): (
        "沒有 Run：AI Server 把 Run 存在記憶體中（重新啟動就會遺失），而後端連不到它時不會列出任何 "
        "Run。請用 `sse-doctor run --new-run` 啟動一個。"
    ),
    "RUN": "Run ID",
    "STATUS": "狀態",
    "STARTED (UTC)": "開始時間（UTC）",
    "FINISHED (UTC)": "結束時間（UTC）",
    "ERROR": "錯誤",
    # doctor/cli/stream.py
    "📡 Starting SSE stream test...": "📡 開始測試 SSE 串流...",
    "Receiving SSE events (Ctrl+C stops):": "開始接收 SSE 事件（按 Ctrl+C 停止）：",
    "✅ Stream ended! {count} lines received": "✅ 串流結束！共接收 {count} 行",
    "Final status: {status}": "最終狀態：{status}",
    "⏹️ Stopped with Ctrl+C: {count} lines received": "⏹️ 已按 Ctrl+C 停止：共接收 {count} 行",
    "Final status: not queried (stopped with Ctrl+C)": "最終狀態：未查詢（已按 Ctrl+C 停止）",
    "Success criteria": "成功標準",
    "(not evaluated)": "（未評估）",
    "📨 Event type: {line}": "📨 事件類型: {line}",
    "📄 Data: {line}": "📄 資料: {line}",
    # doctor/clients/ai_fetch.py
    "the container has none of python3, curl and wget to ask it with": (
        "容器內沒有 python3、curl 或 wget 可用來查詢"
    ),
    "it answered HTTP {status}": "它回應 HTTP {status}",
    "no answer within {seconds:g} s": "{seconds:g} 秒內沒有回應",
    "{tool} exited with code {code}": "{tool} 的結束代碼為 {code}",
    # doctor/clients/backend_logs.py
    "container {name}": "容器 {name}",
    # doctor/clients/contract.py
    "login by {field}": "以 {field} 登入",
    "run starts at POST {path}": "Run 由 POST {path} 啟動",
    "{names} exist": "有 {names}",
    " and ": " 和 ",
    "no stop or resume": "沒有 stop 或 resume",
    "the API of {commit}, the guide's commit": "{commit} 的 API（指南所用的 commit）",
    "the API of {commit} (today's main)": "{commit} 的 API（目前的 main）",
    "nothing learned": "無從得知",
    # doctor/clients/http_errors.py
    "{url} answered with a body too long to read: {reason}": (
        "{url} 回應的內容太長，無法讀取：{reason}"
    ),
    "Nothing listens at {where} (connection refused).": "{where} 沒有服務在監聽（連線被拒）。",
    "Cannot resolve the host name {host} of {url}.": "無法解析 {url} 的主機名稱 {host}。",
    "Check the host name in the URL, and DNS.": "檢查 URL 中的主機名稱及 DNS 設定。",
    "No connection to {where} within {seconds:g} s.": (
        "連線超時：{seconds:g} 秒內無法連上 {where}。"
    ),
    "{url} did not answer within {seconds:g} s.": "{url} 在 {seconds:g} 秒內沒有回應。",
    "{url} closed the connection or did not answer HTTP: {reason}": (
        "{url} 關閉了連線，或回應的不是 HTTP：{reason}"
    ),
    "Request to {url} failed: {reason}": "對 {url} 的請求失敗：{reason}",
    "(no content type)": "（未標明）",
    "Expected JSON from {url}, got {content_type}: {snippet}": (
        "預期 {url} 回傳 JSON，實際的 Content-Type 為 {content_type}：{snippet}"
    ),
    "Expected JSON from {url}, got {content_type}.": (
        "預期 {url} 回傳 JSON，實際的 Content-Type 為 {content_type}。"
    ),
    "Check --backend-url and --api-prefix: something other than the backend's API answered.": (
        "檢查 --backend-url 和 --api-prefix：回應的不是後端 API。"
    ),
    # doctor/clients/reach.py
    "python3 exited with code {code}": "python3 的結束代碼為 {code}",
    "the container has neither python3 nor busybox {tool} to ask with": (
        "容器內既沒有 python3，也沒有 busybox {tool} 可用來測試"
    ),
    # doctor/diagnosis.py
    "The stream was not tested: {reason}": "沒有測試串流：{reason}",
    "Nothing was checked: no check was selected, or none is registered.": (
        "沒有檢查任何項目：沒有選取任何檢查，或沒有註冊任何檢查。"
    ),
    "Check --only, --skip and SSE_DOCTOR_PLUGINS; `sse-doctor checks` lists them.": (
        "檢查 --only、--skip 和 SSE_DOCTOR_PLUGINS；`sse-doctor checks` 會列出所有檢查。"
    ),
    # doctor/fix/apply.py
    "{outcome} at {time}": "{outcome}（{time}）",
    "before": "修復前",
    "after": "修復後",
    # doctor/fix/plan.py
    "image.missing: pass --repo DIR (the stack's checkout, with {file}) to build {tag}.": (
        "image.missing：請用 --repo DIR 指定服務原始碼的目錄（內含 {file}），才能建置 {tag}。"
    ),
    # doctor/formats/junit.py
    "not evaluated": "未評估",
    "not met": "未達成",
    # doctor/formats/markdown.py
    "No problem found.": "沒有發現問題。",
    "Try: {hint}": "建議：{hint}",
    "Seen in: {checks}": "相關檢查：{checks}",
    "Status": "狀態",
    "Check": "檢查項目",
    "Message": "訊息",
    "Hint": "建議",
    "Diagnosis": "可能的問題",
    "Checks": "檢查結果",
    # doctor/formats/progress.py
    "{done} done; running: {names}": "已完成 {done} 項；執行中：{names}",
    "{count} event": "{count} 個事件",
    "{count} events": "{count} 個事件",
    "last event {seconds:.1f} s ago": "上一個事件在 {seconds:.1f} 秒前",
    "no event yet": "尚無事件",
    "idle limit {seconds:g} s": "閒置上限 {seconds:g} 秒",
    # doctor/formats/text.py
    "Warning: {title}": "警告：{title}",
    "Inconclusive: {title}": "無法判定：{title}",
    "API: {api}": "API：{api}",
    "user {name}": "使用者 {name}",
    "project {id}": "專案 {id}",
    "run {id}": "Run {id}",
    "took {ms} ms": "耗時 {ms} 毫秒",
    "Success criteria: not evaluated (the stream was not watched).": (
        "成功標準：未評估（沒有觀察串流）。"
    ),
    "not evaluated: {labels}": "未評估：{labels}",
    "{count} Docker check not run: {why}": "{count} 項 Docker 檢查未執行：{why}",
    "{count} Docker checks not run: {why}": "{count} 項 Docker 檢查未執行：{why}",
    "{count} check not run: {why}": "{count} 項檢查未執行：{why}",
    "{count} checks not run: {why}": "{count} 項檢查未執行：{why}",
    "{count} passed": "通過 {count}",
    "{count} warning": "警告 {count}",
    "{count} warnings": "警告 {count}",
    "{count} failed": "失敗 {count}",
    "{count} error": "錯誤 {count}",
    "{count} errors": "錯誤 {count}",
    "{count} skipped": "略過 {count}",
    " in {seconds:.1f} s": "（耗時 {seconds:.1f} 秒）",
    "Interrupted with Ctrl+C: the results so far are above.": (
        "已按 Ctrl+C 中斷：目前為止的結果如上。"
    ),
    "Cancelled at the prompt: the stream was not watched.": "已在提示中取消：沒有觀察串流。",
    "{count} problem found": "發現 {count} 個問題",
    "{count} problems found": "發現 {count} 個問題",
    "run `sse-doctor report` to attach the bundle to an issue": (
        "執行 `sse-doctor report`，把報告包附加到 issue"
    ),
    "No problem found; {count} warning.": "沒有發現問題；有 {count} 個警告。",
    "No problem found; {count} warnings.": "沒有發現問題；有 {count} 個警告。",
    "the newest run": "最新的 Run",
    "started now": "剛啟動",
    "chosen": "在提示中選擇",
    "a replay": "重播",
    # doctor/report/attached.py
    "this text, ready to paste into an issue": "本文字，可直接貼到 issue",
    (
        "every check's result, the diagnosis and the six criteria (sse-doctor/1 JSON); `sse-doctor "
        "analyze` reads it back"
    ): "每項檢查的結果、診斷和六項成功標準（sse-doctor/1 JSON）；`sse-doctor analyze` 可讀回",
    "the complete output of the checks (the guide's item 1)": "檢查的完整輸出（指南的第 1 項）",
    "every SSE line with its UTC receive time, after the response head": (
        "回應標頭之後的每一行 SSE，附 UTC 接收時間"
    ),
    "the backend log's lines about the run, with context (item 2)": (
        "後端日誌中關於這個 Run 的行，附上下文（第 2 項）"
    ),
    "the backend log's end: its last 5000 lines, at most 1 MiB": (
        "後端日誌的結尾：最後 5000 行，最多 1 MiB"
    ),
    "docker ps -a of the stack's containers, times in UTC (item 3)": (
        "整套服務各容器的 docker ps -a，時間為 UTC（第 3 項）"
    ),
    "versions of the tool, Python, OS, Docker, MongoDB; the configuration": (
        "工具、Python、作業系統、Docker、MongoDB 的版本；設定"
    ),
    "what --fix did: each command, its outcome and time, before and after": (
        "--fix 做了什麼：每個指令及其結果和時間，以及修復前後"
    ),
    "size, sha256 and redactions per rule of every file": (
        "每個檔案的大小、sha256 和各規則的遮蔽次數"
    ),
    "docker inspect": "docker inspect 的輸出",
    "the container's last 500 log lines, with UTC timestamps": (
        "容器日誌的最後 500 行，附 UTC 時間戳記"
    ),
    "the AI Server's /health (item 4)": "AI Server 的 /health（第 4 項）",
    "the run's entry in the AI Server's /tasks": "AI Server /tasks 中這個 Run 的項目",
    "every task of the AI Server's /tasks": "AI Server /tasks 中的所有任務",
    "a file of the bundle": "報告包中的檔案",
    "… and {count} more directories: see manifest.json": (
        "… 還有 {count} 個目錄：請見 manifest.json"
    ),
    "1. the tool's output — run.txt could not be written": "1. 工具的輸出 — 無法寫入 run.txt",
    "2. backend log — pass --backend-log FILE or --backend-container NAME": (
        "2. 後端日誌 — 請用 --backend-log FILE 或 --backend-container NAME 指定"
    ),
    "2. backend log — cannot read {source}: {reason}": "2. 後端日誌 — 無法讀取 {source}：{reason}",
    (
        "2. backend log lines of run {run} — {source} has none: is it this backend's log? (pass "
        "--backend-log FILE or --backend-container NAME)"
    ): (
        "2. Run {run} 的後端日誌行 — {source} 中沒有：這是這個後端的日誌嗎？（請用 --backend-log "
        "FILE 或 --backend-container NAME 指定）"
    ),
    "Docker was not examined (--no-docker)": "未檢查 Docker（--no-docker）",
    "Docker was not reachable: {reason}": "無法連線到 Docker：{reason}",
    "run without --no-docker": "不加 --no-docker 再執行一次",
    "start Docker, or pass --docker-host": "啟動 Docker，或用 --docker-host 指定",
    "3. container status — {reason}: {how}": "3. 容器狀態 — {reason}：{how}",
    (
        "3./4. container status and AI Server health — {reason}: {how}, or pass --ai-url URL to "
        "ask the AI Server over HTTP"
    ): (
        "3./4. 容器狀態和 AI Server 健康狀態 — {reason}：{how}，或用 --ai-url URL 透過 HTTP 查詢 "
        "AI Server"
    ),
    (
        "4. AI Server health — no {prefix}<project_id> container was found: provision the project, "
        "or pass --ai-url URL"
    ): (
        "4. AI Server 健康狀態 — 找不到 {prefix}<project_id> 容器：請 provision 專案，或用 "
        "--ai-url URL 指定"
    ),
    # doctor/report/bundle.py
    "the backend log": "後端日誌",
    "Could not read it: {reason}": "無法讀取：{reason}",
    # doctor/report/projects.py
    "# sse-doctor report: every READY project": "# sse-doctor 報告：所有 READY 的專案",
    # doctor/report/sources/ai_server.py
    "(cut at {kib} KiB of its {bytes} bytes)": "（共 {bytes} 位元組，在 {kib} KiB 處截斷）",
    "No run was watched: every task is in {file}.": "沒有觀察任何 Run：所有任務都在 {file}。",
    "the entry of run {run}": "Run {run} 的項目",
    "{mine} of the {total} tasks it lists (all of them are in {file}):": (
        "它列出的 {total} 個任務中的 {mine} 個（全部任務都在 {file}）："
    ),
    "The list does not show it; GET /tasks/{run} answered:": (
        "列表中沒有它；GET /tasks/{run} 的回應："
    ),
    "The answer is no task list: see {file}.": "回應不是任務列表：請見 {file}。",
    (
        "Run {run} is not among the {total} tasks it lists: the AI Server does not know it (its "
        "tasks live in memory and are lost when it restarts)."
    ): (
        "Run {run} 不在它列出的 {total} 個任務中：AI Server 查無此 Run（它的任務只存在記憶體中，"
        "重新啟動後就會遺失）。"
    ),
    # doctor/report/sources/backend.py
    "pass --backend-log FILE or --backend-container NAME": (
        "請用 --backend-log FILE 或 --backend-container NAME 指定"
    ),
    "No backend log was given: {how}.": "未提供後端日誌：{how}。",
    "No run was watched: no line to choose. The log's end is in {file}.": (
        "沒有觀察任何 Run：沒有要挑選的行。日誌的結尾在 {file}。"
    ),
    "(only its last {mib} MiB were read)": "（只讀取了最後 {mib} MiB）",
    "Source: {source}": "來源：{source}",
    "Cannot read {source}: {reason}": "無法讀取 {source}：{reason}",
    (
        "The lines about run {run} ({lines} of the {total} lines read), with up to {context} lines "
        "of context that belong to no other run; the log's end is in {file}."
    ): (
        "關於 Run {run} 的行（讀取的 {total} 行中的 {lines} 行），附最多 {context} 行不屬於其他 "
        "Run 的上下文；日誌的結尾在 {file}。"
    ),
    "(the container's output since the run began)": "（容器自 Run 開始以來的輸出）",
    "(the {lines} oldest of them were left out)": "（其中最舊的 {lines} 行已省略）",
    (
        "No line is about run {run}: is this the backend's log, and did a stream of the run pass "
        "through it?"
    ): "沒有任何一行關於 Run {run}：這是後端的日誌嗎？這個 Run 的串流有經過這個後端嗎？",
    (
        "Streams of the run: {streams}; the AI Server answered {codes}; ended normally with "
        "{lines} lines; errors: {errors}."
    ): (
        "這個 Run 的串流：{streams} 次；AI Server 回應 {codes}；正常結束時的行數：{lines}；錯誤："
        "{errors}。"
    ),
    "of its {bytes} bytes": "/ 全檔 {bytes} 位元組",
    "Its last {lines} lines ({bytes} bytes){size}, at most {max_lines} lines and {mib} MiB.": (
        "最後 {lines} 行（{bytes} 位元組{size}），上限為 {max_lines} 行、{mib} MiB。"
    ),
    "[lines of a private key left out]": "[已省略私鑰的內容]",
    # doctor/report/sources/collect.py
    "Docker was not examined (--no-docker).": "未檢查 Docker（--no-docker）。",
    "Docker engine not reachable: {reason}": "無法連線到 Docker 引擎：{reason}",
    "not reachable: {reason}": "無法連線：{reason}",
    # doctor/report/sources/docker.py
    "containers named {prefix}* and {mongo}; times in UTC": (
        "名稱為 {prefix}* 與 {mongo} 的容器；時間為 UTC"
    ),
    "No container named {prefix}* or {mongo} exists.": "沒有名稱為 {prefix}* 或 {mongo} 的容器。",
    "{status} since {time}": "{status}（自 {time} 起）",
    "at {time}": "於 {time}",
    "{count} restarts": "重新啟動 {count} 次",
    "Container {name} is not running ({status}): its AI Server cannot answer.": (
        "容器 {name} 未運行（{status}）：其中的 AI Server 無法回應。"
    ),
    # doctor/report/sources/environment.py
    "Docker engine: {engine}": "Docker 引擎：{engine}",
    "OS: {os}": "作業系統：{os}",
    "Libraries: {libraries}": "函式庫：{libraries}",
    "MongoDB server: {mongo}": "MongoDB 伺服器：{mongo}",
    "Effective configuration:": "實際生效的設定：",
    "{version} (API {api}, {os}/{arch}) at {host}": (
        "{version}（API {api}，{os}/{arch}），位於 {host}"
    ),
    # doctor/report/sources/transcript.py
    "The SSE stream was not watched, on purpose (--no-stream).": (
        "依指定沒有觀察 SSE 串流（--no-stream）。"
    ),
    "Stream ended: {count} lines received.": "串流結束：共接收 {count} 行。",
    "Ended: {end}": "結束原因：{end}",
    "Error: {error}": "錯誤：{error}",
    "The SSE stream was not observed: the sse.stream check did not run.": (
        "沒有觀察 SSE 串流：sse.stream 檢查沒有執行。"
    ),
    "The SSE stream was not observed: {reason}": "沒有觀察 SSE 串流：{reason}",
    "No SSE line was received. sse.stream: {message}": "沒有收到任何 SSE 行。sse.stream：{message}",
    # doctor/report/summary.py
    "… cut here: the rest is in the bundle's files.": "… 在此截斷：其餘內容在報告包的檔案中。",
    "Environment": "環境",
    "Steps to reproduce": "重現步驟",
    "Expected": "預期結果",
    "The guide's six success criteria are met, and the run's final status is DONE or FAILED.": (
        "達成指南的六項成功標準，且 Run 的最終狀態為 DONE 或 FAILED。"
    ),
    "Actual": "實際結果",
    "Attached": "附件",
    "no problem found": "沒有發現問題",
    "exit status {code}": "結束代碼 {code}",
    "sse-doctor report": "sse-doctor 報告",
    "chosen by {how}": "選擇方式：{how}",
    "{status} before the stream": "串流前為 {status}",
    "created {time}": "建立於 {time}",
    "its stream a replay": "其串流為重播",
    "MongoDB: {version}": "MongoDB：{version}",
    "Backend {url}, API: {api}": "後端 {url}，API：{api}",
    "not learned": "無從得知",
    "User {user} · project {project} · run {run}": "使用者 {user} · 專案 {project} · Run {run}",
    "Started {time}, took {seconds:.1f} s": "開始於 {time}，耗時 {seconds:.1f} 秒",
    (
        "The stream was not watched, on purpose (--no-stream): no run was started and no SSE check "
        "ran; this is the state of the stack as it was."
    ): (
        "依指定沒有觀察串流（--no-stream）：沒有啟動 Run，也沒有執行 SSE 檢查；"
        "這是整套服務當時的狀態。"
    ),
    "Exit status {code}: {problems} problems, {warnings} warnings, {inconclusive} inconclusive.": (
        "結束代碼 {code}：{problems} 個問題、{warnings} 個警告、{inconclusive} 個無法判定。"
    ),
    "… {count} more findings in results.json": "… 另有 {count} 項發現在 results.json 中",
    "Success criteria ({met} of {total} met):": "成功標準（{total} 項中達成 {met} 項）：",
    "Missing of the guide's four items:": "指南「回報問題時請提供」的四項中缺少：",
    "Secrets were replaced by {mark}; manifest.json counts them per rule.": (
        "機密資訊已替換為 {mark}；manifest.json 依規則記錄了次數。"
    ),
    # doctor/runner.py
    "Circular dependency.": "循環相依。",
    "Needs {dep}, which was not selected.": "需要 {dep}，但它未被選取。",
    "Skipped because {dep} did not pass.": "已略過，因為 {dep} 未通過。",
    "Report it with the bundle of sse-doctor report.": (
        "請回報這個問題，並附上 sse-doctor report 產生的報告包。"
    ),
    "{title}: no answer within {seconds:g} s.": "{title}：{seconds:g} 秒內沒有回應。",
    # doctor/session.py
    "Not run: interrupted with Ctrl+C.": "未執行：已按 Ctrl+C 中斷。",
    # doctor/stream/ending.py
    "The connection to the backend broke after {count} events: {error}.": (
        "與後端的連線在 {count} 個事件後中斷：{error}。"
    ),
    "The stream ended after {count} events without `event: status`.": (
        "串流在 {count} 個事件後結束，沒有送出 `event: status`。"
    ),
    "The stream was empty.": "串流是空的。",
    (
        "The doctor stopped watching after {seconds:.1f} s ({why}); {count} events so far, the "
        "last at {last:.1f} s, pings {pings}. The run has not ended yet."
    ): (
        "sse-doctor 在 {seconds:.1f} 秒後停止觀察（{why}）；目前收到 {count} 個事件，最後一個在第 "
        "{last:.1f} 秒，ping {pings} 次。Run 尚未結束。"
    ),
    "--stream-timeout {limit:g} s": "--stream-timeout {limit:g} 秒",
    "--idle-timeout {idle:g} s": "--idle-timeout {idle:g} 秒",
    "Run again with a longer --stream-timeout (and --idle-timeout).": (
        "用更長的 --stream-timeout（以及 --idle-timeout）再執行一次。"
    ),
    "The stream stalled: not a byte for {silence:.1f} s, though keepalive pings {every}.": (
        "串流停滯：{silence:.1f} 秒內沒有任何位元組，而 keepalive ping {every}。"
    ),
    "came every {interval:.1f} s before": "先前每 {interval:.1f} 秒就來一次",
    "are due every {interval:g} s": "應該每 {interval:g} 秒來一次",
    # doctor/stream/verdict.py
    "The stream endpoint sent no response headers within {seconds:.1f} s.": (
        "串流端點在 {seconds:.1f} 秒內沒有送出回應標頭。"
    ),
    "Cannot connect to the stream endpoint: {error}.": "無法連線到串流端點：{error}。",
    "The stream answered HTTP {code}: {detail}": "串流回應 HTTP {code}：{detail}",
    "The stream is served as {type}, not text/event-stream.": (
        "串流的 Content-Type 為 {type}，不是 text/event-stream。"
    ),
    "The stream's Content-Encoding {encoding} cannot be decoded here: {error}": (
        "sse-doctor 無法解碼串流的 Content-Encoding {encoding}：{error}"
    ),
    (
        "The stream is compressed (Content-Encoding: {encoding}): proxies and clients hold "
        "compressed events back."
    ): "串流經過壓縮（Content-Encoding: {encoding}）：代理伺服器和用戶端會攔住壓縮過的事件。",
    (
        "The backend wraps the stream twice: {count} events arrived as unnamed events whose data "
        "are SSE lines (first: {data!r}), so no client sees `event: log` or `event: status`."
    ): (
        "後端把串流包裝了兩次：{count} 個事件以未命名事件到達，其資料是 SSE 行（第一個："
        "{data!r}），因此用戶端看不到 `event: log` 或 `event: status`。"
    ),
    (
        "The stream answered 200 with the body {body}: the AI Server does not know the run (it "
        "restarted, or the project was provisioned again)."
    ): (
        "串流回應 200，內容為 {body}：AI Server 查無此 Run（它重新啟動過，或專案被重新 provision "
        "過）。"
    ),
    "{count} lines are no SSE field (first: {line!r}).": (
        "有 {count} 行不是 SSE 欄位（第一行：{line!r}）。"
    ),
    (
        "Only keepalive pings for {seconds:.1f} s ({pings} `: ping` comments), no event at all, "
        "while the run is {status}."
    ): (
        "{seconds:.1f} 秒內只有 keepalive ping（{pings} 個 `: ping` 註解），完全沒有事件，而 Run "
        "的狀態是 {status}。"
    ),
    (
        "The AI Server is alive but its agent sends nothing: the task may never have started; read "
        "the AI Server's log."
    ): (
        "AI Server 還在運行，但其中的 Agent 什麼都沒送出：任務可能從未開始；請查看 AI Server "
        "的日誌。"
    ),
    (
        "The backend cannot reach the AI Server: `{text}` (the container's name resolves, but "
        "nothing listens on port 8000)."
    ): "後端連不到 AI Server：`{text}`（容器名稱能解析，但連接埠 8000 沒有服務在監聽）。",
    (
        "The backend cannot resolve the project's container: `{text}`. It runs where "
        "refactor-project-<id> is not a known name (outside refactor-network, e.g. on the host), "
        "or the container is gone."
    ): (
        "後端無法解析專案的容器：`{text}`。後端所在的地方不認得 refactor-project-<id> 這個名稱（在 "
        "refactor-network 之外，例如在主機上），或是容器已經不在了。"
    ),
    (
        "The AI Server's connection broke after {count} events (the last `{last}`): `{text}` (it "
        "died mid-stream)."
    ): (
        "AI Server 的連線在 {count} 個事件後中斷（最後一個是 `{last}`）：`{text}`"
        "（它在串流中途終止了）。"
    ),
    "The backend sent an error event: `{text}`": "後端送出了錯誤事件：`{text}`",
    "The stream has no `Cache-Control: no-cache` header.": (
        "串流沒有 `Cache-Control: no-cache` 標頭。"
    ),
    (
        "Slow events: up to {gap:.1f} s between two events, more than half the idle limit of "
        "{idle:g} s."
    ): "事件緩慢：兩個事件之間最長相隔 {gap:.1f} 秒，超過閒置上限 {idle:g} 秒的一半。",
    "The server kept the stream open after `event: status`; it was closed here.": (
        "伺服器在 `event: status` 之後仍保持串流開啟；已由 sse-doctor 關閉。"
    ),
    (
        "The answer already says X-Accel-Buffering: no, so something ignores it: a proxy with "
        "buffering on (nginx proxy_buffering), compression, or a middleware."
    ): (
        "回應已帶有 X-Accel-Buffering: no，所以是有東西忽略了它：開啟緩衝的代理伺服器（nginx "
        "proxy_buffering）、壓縮，或某個 middleware。"
    ),
    (
        "Turn buffering off where the stream passes a proxy (nginx: proxy_buffering off, or send "
        "X-Accel-Buffering: no from the backend)."
    ): (
        "在串流經過的代理伺服器關閉緩衝（nginx：proxy_buffering off，或由後端送出 "
        "X-Accel-Buffering: no）。"
    ),
    (
        "Buffered stream: the AI Server made {count} log events over {span:.1f} s, but they "
        "arrived within {arrival:.2f} s, the first held back {held:.1f} s."
    ): (
        "串流被緩衝：AI Server 在 {span:.1f} 秒內產生了 {count} 個 log 事件，但它們在 "
        "{arrival:.2f} 秒內一起到達，第一個被延遲了 {held:.1f} 秒。"
    ),
    # doctor/team/each.py
    "No READY project to run the doctor on.": "沒有 READY 的專案可供 sse-doctor 檢查。",
    "{count} of {total} READY projects has a problem": (
        "{total} 個 READY 的專案中有 {count} 個有問題"
    ),
    "{count} of {total} READY projects have a problem": (
        "{total} 個 READY 的專案中有 {count} 個有問題"
    ),
    "`sse-doctor run --project ID` shows one in full": (
        "`sse-doctor run --project ID` 可查看單一專案的完整結果"
    ),
    "No READY project has a problem.": "所有 READY 的專案都沒有問題。",
    # doctor/team/known.py
    "Project {id} is in the project list.": "專案 {id} 在專案列表中。",
    # doctor/team/survey.py
    "Run {id} FAILED: {error}": "Run {id} 失敗（FAILED）：{error}",
    (
        "The AI Server knows no run of this project, though the backend started one (thread "
        "{thread}): it lost its tasks when it restarted."
    ): (
        "AI Server 查無這個專案的任何 Run，但後端曾啟動過（thread {thread}）：AI Server "
        "重新啟動時遺失了任務。"
    ),
    # doctor/team/table.py
    "PROJECT": "專案",
    "CONTAINER": "容器",
    "AI SERVER": "AI Server",
    "NEWEST RUN": "最新 Run",
    "VERDICT": "判定",
    "{count} project": "{count} 個專案",
    "{count} projects": "{count} 個專案",
    "Findings": "發現的問題",
    "newest run's error: {error}": "最新 Run 的錯誤：{error}",
    "{count} of {total} projects has a problem": "{total} 個專案中有 {count} 個有問題",
    "{count} of {total} projects have a problem": "{total} 個專案中有 {count} 個有問題",
    "`sse-doctor run --project ID` diagnoses one in full": (
        "`sse-doctor run --project ID` 可完整診斷單一專案"
    ),
    "No project to look at: the backend lists none.": "沒有可檢查的專案：後端沒有列出任何專案。",
    "No project has a problem.": "所有專案都沒有問題。",
}
