"""Traditional Chinese (Taiwan): English template -> translation.

The wording follows the team's "SSE Stream 測試指南": its category names, success criteria,
section names and the test script's output lines are quoted as the guide writes them.
"""

CATALOG: dict[str, str] = {
    # The guide's troubleshooting categories (doctor/model.py)
    "Services not running": "服務未運行",
    "Connection timeout": "連線超時",
    "403/404 error": "403/404 錯誤",
    "503 error": "503 錯誤",
    "No events": "沒有事件",
    "Stream did not end normally": "串流未正常結束",
    "Final status not DONE or FAILED": "最終狀態不是 DONE 或 FAILED",
    "Make sure MongoDB, the backend, the Docker engine and the base image are up.": (
        "確保服務運行：MongoDB、後端、Docker 引擎和基礎映像檔都必須就緒。"
    ),
    "Check the Docker network settings.": "檢查 Docker 網路設定。",
    "Check the project ID and permissions.": "檢查專案 ID 和權限。",
    "The container may not be started, or the AI Server is not running.": (
        "容器可能未啟動或 AI Server 未運行。"
    ),
    "Check whether the AI Server records task_logs correctly.": (
        "檢查 AI Server 是否正確記錄 task_logs。"
    ),
    "Look at the [SSE] lines of the backend log where the stream stopped.": (
        "查看後端日誌中串流中斷處的 [SSE] 行。"
    ),
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
    # Check titles
    "MongoDB answers": "MongoDB 有回應",
    "MongoDB container": "MongoDB 容器",
    "Project and task_logs in MongoDB": "MongoDB 中的專案與 task_logs",
    "Docker engine answers": "Docker 引擎有回應",
    "Base image exists": "基礎映像檔存在",
    "Backend answers": "後端有回應",
    "Login": "登入",
    "Project list": "專案列表",
    "Project is READY": "專案狀態為 READY",
    "Project containers": "專案容器",
    "Project container runs": "專案容器運行中",
    "AI Server answers /health": "AI Server 回應 /health",
    "AI Server records task_logs": "AI Server 記錄 task_logs",
    "SSE stream": "SSE 串流",
    "Final run status": "Run 的最終狀態",
    # Layer headings of the text output (doctor/formats/text.py); product names stay as they are
    "MongoDB": "MongoDB",
    "Docker engine": "Docker 引擎",
    "Base image": "基礎映像檔",
    "Backend API": "後端 API",
    "Containers": "容器",
    "AI Server": "AI Server",
    # checks/mongodb.py
    "MongoDB {version} answers at {where}.": "MongoDB {version} 在 {where} 有回應。",
    "Nothing listens at {where} (MongoDB connection refused).": (
        "{where} 沒有服務在監聽（MongoDB 連線被拒）。"
    ),
    "Start MongoDB: {command} (if the container exists: docker start mongodb).": (
        "啟動 MongoDB：{command}（如果容器已存在：docker start mongodb）。"
    ),
    "MongoDB rejected the credentials in --mongo-uri.": "MongoDB 拒絕了 --mongo-uri 中的認證資訊。",
    "Check the user name, password and authSource in --mongo-uri (or SSE_DOCTOR_MONGO_URI).": (
        "檢查 --mongo-uri（或 SSE_DOCTOR_MONGO_URI）中的使用者名稱、密碼和 authSource。"
    ),
    "Cannot resolve the MongoDB host {where}.": "無法解析 MongoDB 主機 {where}。",
    (
        "Check the host name in --mongo-uri; a mongodb+srv:// URI needs DNS SRV records for "
        "_mongodb._tcp.<host>."
    ): (
        "檢查 --mongo-uri 中的主機名稱；mongodb+srv:// URI 需要 _mongodb._tcp.<host> 的 DNS "
        "SRV 紀錄。"
    ),
    "--mongo-uri is not usable: {error}": "--mongo-uri 無法使用：{error}",
    "Fix --mongo-uri (or SSE_DOCTOR_MONGO_URI).": "修正 --mongo-uri（或 SSE_DOCTOR_MONGO_URI）。",
    "MongoDB at {where} did not answer within {seconds:g} s.": (
        "位於 {where} 的 MongoDB 在 {seconds:g} 秒內沒有回應。"
    ),
    "MongoDB at {where} is not usable: {error}": "位於 {where} 的 MongoDB 無法使用：{error}",
    "No container named {name}, but MongoDB answers: it runs outside Docker.": (
        "沒有名為 {name} 的容器，但 MongoDB 有回應：它在 Docker 之外運行。"
    ),
    "No container named {name}, and MongoDB does not answer.": (
        "沒有名為 {name} 的容器，MongoDB 也沒有回應。"
    ),
    "Start MongoDB: {command}": "啟動 MongoDB：{command}",
    "Cannot inspect container {name}: {error}": "無法檢視容器 {name}：{error}",
    "Container {name} exists but is {status} (exit code {code}).": (
        "容器 {name} 存在，但狀態為 {status}（結束代碼 {code}）。"
    ),
    "Start it: docker start {name}": "啟動它：docker start {name}",
    "Container {name} runs image {image}, not mongo:*.": (
        "容器 {name} 運行的映像檔是 {image}，不是 mongo:*。"
    ),
    "Container {name} runs {image} but does not publish port 27017.": (
        "容器 {name} 運行 {image}，但沒有發佈連接埠 27017。"
    ),
    "Re-create it with the port published: docker rm -f mongodb && {command}": (
        "發佈連接埠並重新建立容器：docker rm -f mongodb && {command}"
    ),
    "Container {name} is running {image}, port 27017 published on {ports}.": (
        "容器 {name} 正在運行 {image}，連接埠 27017 發佈於 {ports}。"
    ),
    "No database name: give --mongo-db to read the project and its task_logs.": (
        "沒有資料庫名稱：請用 --mongo-db 指定，才能讀取專案及其 task_logs。"
    ),
    "MongoDB refused to read database {db}: {error}": "MongoDB 拒絕讀取資料庫 {db}：{error}",
    "Check the user's rights on the database in --mongo-uri and --mongo-db.": (
        "檢查 --mongo-uri 中的使用者對 --mongo-db 資料庫的權限。"
    ),
    "Reading database {db} failed: {error}": "讀取資料庫 {db} 失敗：{error}",
    "No project {id} in {db}.projects; is --mongo-db the backend's database?": (
        "{db}.projects 中沒有專案 {id}；--mongo-db 是後端使用的資料庫嗎？"
    ),
    "Project {id} has status {status} in MongoDB, not READY (provision it first).": (
        "專案 {id} 在 MongoDB 中的狀態是 {status}，不是 READY（請先完成 provision）。"
    ),
    "Provision the project so that its status becomes READY.": (
        "請 provision 這個專案，讓它的狀態變成 READY。"
    ),
    "Project {id} is READY in MongoDB; no run to count task_logs for.": (
        "專案 {id} 在 MongoDB 中為 READY；沒有可計算 task_logs 的 Run。"
    ),
    "Project {id} is READY in MongoDB; run {run} has {count} task_logs.": (
        "專案 {id} 在 MongoDB 中為 READY；Run {run} 有 {count} 筆 task_logs。"
    ),
    (
        "The stream carried log events, but {db}.task_logs holds none with run_id {run}; is "
        "--mongo-db the backend's database?"
    ): (
        "串流中有 log 事件，但 {db}.task_logs 中沒有 run_id 為 {run} 的紀錄；--mongo-db 是後"
        "端使用的資料庫嗎？"
    ),
    "No task_logs with run_id {run} in MongoDB.": "MongoDB 中沒有 run_id 為 {run} 的 task_logs。",
    # checks/docker_engine.py
    "Docker engine {version} (API {api}) answers at {host}.": (
        "Docker 引擎 {version}（API {api}）在 {host} 有回應。"
    ),
    "Permission denied on the Docker socket {host}.": "沒有 Docker socket {host} 的存取權限。",
    "The Docker engine at {host} did not answer within {seconds:g} s.": (
        "位於 {host} 的 Docker 引擎在 {seconds:g} 秒內沒有回應。"
    ),
    "No Docker engine is running at {host}.": "{host} 沒有運行中的 Docker 引擎。",
    "Cannot reach the Docker engine at {host}: {reason}": (
        "無法連線到位於 {host} 的 Docker 引擎：{reason}"
    ),
    (
        "Start Docker: `sudo dockerd` (or `sudo systemctl start docker`), or open Docker "
        "Desktop; then `docker info` must answer."
    ): (
        "啟動 Docker：`sudo dockerd`（或 `sudo systemctl start docker`），或開啟 Docker "
        "Desktop；之後 `docker info` 必須有回應。"
    ),
    (
        "Add your user to the docker group (`sudo usermod -aG docker $USER`, then log in "
        "again), or use Docker Desktop."
    ): (
        "將你的使用者加入 docker 群組（`sudo usermod -aG docker $USER`，然後重新登入），或改"
        "用 Docker Desktop。"
    ),
    "Restart the Docker engine (`sudo systemctl restart docker`, or Docker Desktop).": (
        "重新啟動 Docker 引擎（`sudo systemctl restart docker`，或重新啟動 Docker Desktop）。"
    ),
    # checks/base_image.py
    "Base image {tag} does not exist.": "基礎映像檔 {tag} 不存在。",
    "Build it from the repository root: `{command}`": "在儲存庫根目錄建置它：`{command}`",
    "Base image {tag} exists (id {id}).": "基礎映像檔 {tag} 已存在（ID {id}）。",
    "Base image {tag} exists (id {id}, created {age} ago).": (
        "基礎映像檔 {tag} 已存在（ID {id}，建立於 {age} 前）。"
    ),
    # checks/backend.py
    "Start the backend: {command}": "啟動後端：{command}",
    (
        "{url} answered {status} naming the database: MongoDB behind the backend is down or "
        "unreachable."
    ): "{url} 回應 {status} 並提到資料庫：後端使用的 MongoDB 已停止或無法連線。",
    "Start MongoDB ({command}) and check the backend's MongoDB settings.": (
        "啟動 MongoDB（{command}），並檢查後端的 MongoDB 設定。"
    ),
    "{url} answered HTTP {status}.": "{url} 回應 HTTP {status}。",
    "{url} does not exist on the backend (HTTP {status}).": "後端沒有 {url}（HTTP {status}）。",
    (
        "The backend at {url} answers, but GET /health gave {health} and GET /openapi.json "
        "gave {openapi}."
    ): "位於 {url} 的後端有回應，但 GET /health 回傳 {health}，GET /openapi.json 回傳 {openapi}。",
    "Check --backend-url; the backend is started with: {command}": (
        "檢查 --backend-url；後端的啟動指令是：{command}"
    ),
    "The backend answers at {url} (HTTP {status}).": "後端在 {url} 有回應（HTTP {status}）。",
    "The backend answers at {url} (it has no /health).": "後端在 {url} 有回應（它沒有 /health）。",
    "The backend serves {url}, but GET /health answered {status}.": (
        "後端有提供 {url}，但 GET /health 回應 {status}。"
    ),
    "Email": "電子郵件",
    "Password": "密碼",
    (
        "No credentials: give --email and --password (or SSE_DOCTOR_EMAIL and "
        "SSE_DOCTOR_PASSWORD), or a token with --token or SSE_DOCTOR_TOKEN."
    ): (
        "沒有登入資訊：請提供 --email 和 --password（或 SSE_DOCTOR_EMAIL 和 "
        "SSE_DOCTOR_PASSWORD），或用 --token 或 SSE_DOCTOR_TOKEN 提供 token。"
    ),
    (
        "The backend rejected the email or password of {email} (HTTP {status}): wrong "
        "credentials, not a network problem."
    ): "後端拒絕了 {email} 的電子郵件或密碼（HTTP {status}）：是帳號密碼錯誤，不是網路問題。",
    "Check --email and --password (or SSE_DOCTOR_EMAIL and SSE_DOCTOR_PASSWORD).": (
        "檢查 --email 和 --password（或 SSE_DOCTOR_EMAIL 和 SSE_DOCTOR_PASSWORD）。"
    ),
    "The login answer from {url} holds neither access_token nor token.": (
        "{url} 的登入回應中既沒有 access_token，也沒有 token。"
    ),
    "Check --api-prefix: is {url} the backend's login?": (
        "檢查 --api-prefix：{url} 真的是後端的登入端點嗎？"
    ),
    "Logged in as {email}.": "已用 {email} 登入。",
    "The backend rejected the given token (HTTP {status}); it may have expired.": (
        "後端拒絕了指定的 token（HTTP {status}）；它可能已過期。"
    ),
    (
        "Pass a fresh token with --token or SSE_DOCTOR_TOKEN, or log in with --email and "
        "--password instead."
    ): "請用 --token 或 SSE_DOCTOR_TOKEN 提供新的 token，或改用 --email 和 --password 登入。",
    "The given token is used; the backend accepts it.": "使用指定的 token；後端接受此 token。",
    "The backend refused the token for {url} (HTTP {status}).": (
        "後端拒絕以此 token 存取 {url}（HTTP {status}）。"
    ),
    '{url} answered neither a list nor {{"items": [...]}}.': (
        '{url} 的回應既不是列表，也不是 {{"items": [...]}}。'
    ),
    "Check --backend-url and --api-prefix.": "檢查 --backend-url 和 --api-prefix。",
    "Using project {id} (status {status}).": "使用專案 {id}（狀態 {status}）。",
    (
        "Using project {id} as given; it is not among the {count} projects listed (the list "
        "may be paged)."
    ): "使用指定的專案 {id}；它不在列出的 {count} 個專案中（列表可能有分頁）。",
    "Using the only READY project, {id}.": "使用唯一處於 READY 狀態的專案 {id}。",
    "The account has no projects.": "此帳號沒有任何專案。",
    "Create a project (front end or API) and provision it until it is READY.": (
        "透過前端或 API 建立專案，並 provision 直到狀態為 READY。"
    ),
    "None of the {count} projects is READY ({projects}).": (
        "{count} 個專案中沒有一個處於 READY 狀態（{projects}）。"
    ),
    "Provision a project until it is READY, then name it with --project.": (
        "請先 provision 一個專案直到狀態為 READY，再用 --project 指定它。"
    ),
    "{count} projects are READY ({ids}); choose one with --project.": (
        "有 {count} 個專案處於 READY（{ids}）；請用 --project 選擇其中一個。"
    ),
    "Choose a project (number or id)": "選擇專案（輸入編號或 ID）",
    "No project was chosen.": "沒有選擇專案。",
    "Using project {id}, chosen at the prompt.": "使用在提示中選擇的專案 {id}。",
    "{id!r} cannot be part of a container name.": "{id!r} 不能用在容器名稱中。",
    "Check the project ID and permissions (--project).": "檢查專案 ID 和權限（--project）。",
    "No project was chosen: give --project.": "尚未選擇專案：請用 --project 指定。",
    (
        "Project {id}: the backend answered {status} (not found, or not accessible with this "
        "account)."
    ): "專案 {id}：後端回應 {status}（找不到專案，或此帳號沒有存取權限）。",
    "Project {id} is READY.": "專案 {id} 的狀態為 READY。",
    "Project {id} status is {status}, not READY (provision it first).": (
        "專案 {id} 的狀態是 {status}，不是 READY（請先完成 provision）。"
    ),
    (
        "Provision the project (front end or API) until it is READY, or choose another one "
        "with --project."
    ): "透過前端或 API provision 這個專案直到狀態為 READY，或用 --project 選擇其他專案。",
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
    "Container {name} does not exist.": "容器 {name} 不存在。",
    (
        "The project is not provisioned: its status must be READY before a run can stream. "
        "Check `docker ps -a | grep {prefix}`."
    ): (
        "專案尚未完成 provision：狀態必須是 READY，Run 才能串流。請檢查 `docker ps -a | grep "
        "{prefix}`。"
    ),
    "Container {name} runs but its health check fails.": "容器 {name} 在運行，但健康檢查失敗。",
    "See why with `docker logs {name}`.": "用 `docker logs {name}` 查看原因。",
    "Container {name} is running: {status}.": "容器 {name} 運行中：{status}。",
    "Container {name} is not running: {status}": "容器 {name} 未運行：{status}",
    " (killed: out of memory)": "（因記憶體不足被終止）",
    "Resume it: `docker unpause {name}`.": "恢復它：`docker unpause {name}`。",
    "It keeps restarting; see why with `docker logs {name}`.": (
        "它一直在重新啟動；用 `docker logs {name}` 查看原因。"
    ),
    "Start it: `docker start {name}`; see why it stopped with `docker logs {name}`.": (
        "啟動它：`docker start {name}`；用 `docker logs {name}` 查看它停止的原因。"
    ),
    # checks/ai_server.py
    "no answer within {seconds:g} s": "{seconds:g} 秒內沒有回應",
    "the container has no wget to ask it with": "容器內沒有可用來查詢的 wget",
    "wget exited with code {code}": "wget 結束代碼為 {code}",
    "inside {name}": "容器 {name} 內",
    "at {url}": "位於 {url}",
    "Publish the AI Server's port {port} and pass --ai-url to ask it over HTTP.": (
        "發佈 AI Server 的連接埠 {port}，並用 --ai-url 透過 HTTP 查詢它。"
    ),
    "Try it by hand: `{command}`; read the AI Server's log: `docker logs {name}`.": (
        "手動試試：`{command}`；查看 AI Server 的日誌：`docker logs {name}`。"
    ),
    "Is the AI Server running? Try `{command}`.": "AI Server 是否在運行？試試 `{command}`。",
    (
        "Not checked: --no-docker leaves out the container; pass --ai-url to ask the AI "
        "Server over HTTP."
    ): "未檢查：--no-docker 不檢查容器；請用 --ai-url 透過 HTTP 查詢 AI Server。",
    "The Docker engine does not answer; see docker.engine.": (
        "Docker 引擎沒有回應；請見 docker.engine。"
    ),
    "Container {name} is not running; see containers.project.": (
        "容器 {name} 未運行；請見 containers.project。"
    ),
    "AI Server {where} does not answer /health: {reason}.": (
        "AI Server（{where}）沒有回應 /health：{reason}。"
    ),
    "AI Server {where} answers /health: {body}": "AI Server（{where}）回應了 /health：{body}",
    "AI Server {where} does not answer /tasks: {reason}.": (
        "AI Server（{where}）沒有回應 /tasks：{reason}。"
    ),
    "AI Server {where} answered /tasks with something other than a task list.": (
        "AI Server（{where}）對 /tasks 的回應不是任務列表。"
    ),
    "Look at it by hand: `{command}`.": "請手動查看：`{command}`。",
    "AI Server lists {count} tasks.": "AI Server 列出 {count} 個任務。",
    "AI Server has no task for run {run}.": "AI Server 沒有 Run {run} 的任務。",
    (
        "The run never reached the AI Server {where}, or it does not keep its tasks: look at "
        "`{command}`."
    ): "這個 Run 從未送達 AI Server（{where}），或 AI Server 沒有保留任務：請查看 `{command}`。",
    "AI Server recorded no task_logs for run {run}.": (
        "AI Server 沒有為 Run {run} 記錄任何 task_logs。"
    ),
    (
        "AI Server recorded {recorded} task logs for run {run} but the stream delivered "
        "{delivered}: events are lost between the AI Server and the backend."
    ): (
        "AI Server 為 Run {run} 記錄了 {recorded} 筆 task_logs，但串流只送出 {delivered} 個："
        "事件在 AI Server 與後端之間遺失了。"
    ),
    (
        "Read the backend's [SSE] lines (`[INFO] 開始串流 AI Server 日誌: …`, `[DEBUG] [SSE] "
        "event: log`) to see which events it forwarded."
    ): (
        "查看後端日誌中的 [SSE] 行（`[INFO] 開始串流 AI Server 日誌: …`、`[DEBUG] [SSE] "
        "event: log`），確認它轉發了哪些事件。"
    ),
    "AI Server recorded {recorded} task logs for run {run}.": (
        "AI Server 為 Run {run} 記錄了 {recorded} 筆 task_logs。"
    ),
    # checks/sse_stream.py
    "Stopped with Ctrl+C after {count} log events.": (
        "收到 {count} 個 log 事件後，已按 Ctrl+C 停止。"
    ),
    "The stream delivered {count} log events and `event: status` in {seconds:.1f} s.": (
        "串流在 {seconds:.1f} 秒內送出 {count} 個 log 事件和 `event: status`。"
    ),
    "Start a new Agent run? (y = new run, n = cancel, or type an existing run_id)": (
        "啟動新的 Agent Run？（y = 啟動新的 Run，n = 取消，或輸入現有的 run_id）"
    ),
    "No run to watch: give --run RUN_ID to reuse a run or --new-run to start one.": (
        "沒有可觀察的 Run：用 --run RUN_ID 使用現有的 Run，或用 --new-run 啟動新的 Run。"
    ),
    "Cancelled: no run was chosen.": "已取消：沒有選擇 Run。",
    "Starting a new run failed: HTTP {status}, {detail}": (
        "啟動新的 Run 失敗：HTTP {status}，{detail}"
    ),
    "no run_id or id in the answer": "回應中沒有 run_id 或 id",
    "No run to query: give --run RUN_ID or --new-run.": (
        "沒有可查詢的 Run：請用 --run RUN_ID 或 --new-run。"
    ),
    "The run finished: DONE.": "Run 已結束：DONE。",
    "The run finished as FAILED: the Agent failed, but the status was reported.": (
        "Run 以 FAILED 結束：Agent 執行失敗，但狀態有正確回報。"
    ),
    "The run is {status}; it was not followed because the stream never opened.": (
        "Run 的狀態是 {status}；因為串流從未開啟，所以沒有追蹤它。"
    ),
    "unknown": "未知",
    "The run's status could not be read: {problem}": "無法讀取 Run 的狀態：{problem}",
    "The run is {status}, not DONE or FAILED.": "Run 的狀態是 {status}，不是 DONE 或 FAILED。",
    "The run is still {status} after {seconds:g} s, not DONE or FAILED.": (
        "經過 {seconds:g} 秒後，Run 仍是 {status}，不是 DONE 或 FAILED。"
    ),
    "the answer has no status": "回應中沒有 status",
    # doctor/clients/http_errors.py
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
    # doctor/stream/verdict.py
    "The stream endpoint sent no response within {seconds:.1f} s ({error}).": (
        "串流端點在 {seconds:.1f} 秒內沒有送出回應（{error}）。"
    ),
    "timeout": "超時",
    "Cannot connect to the stream endpoint: {error}.": "無法連線到串流端點：{error}。",
    "The stream answered HTTP {code}: {detail}": "串流回應 HTTP {code}：{detail}",
    "The stream is served as {type}, not text/event-stream.": (
        "串流的 Content-Type 為 {type}，不是 text/event-stream。"
    ),
    "Return the stream with media type text/event-stream (StreamingResponse).": (
        "以 text/event-stream 媒體類型回傳串流（StreamingResponse）。"
    ),
    "The stream's Content-Encoding {encoding} cannot be decoded.": (
        "無法解碼串流的 Content-Encoding {encoding}。"
    ),
    "Send the stream uncompressed.": "傳送未壓縮的串流。",
    "The stream was cut after {count} events: {error}.": "串流在 {count} 個事件後中斷：{error}。",
    "The stream opened but sent no `event: log` within the idle limit of {idle:g} s.": (
        "串流已開啟，但在 {idle:g} 秒的閒置上限內沒有送出 `event: log`。"
    ),
    "The stream sent no `event: log` in {seconds:g} s ({count} other events).": (
        "串流在 {seconds:g} 秒內沒有送出 `event: log`（其他事件 {count} 個）。"
    ),
    (
        "The stream went silent for {idle:g} s after {count} log events, without `event: "
        "status` (last event at {last:.1f} s)."
    ): (
        "串流在 {count} 個 log 事件後靜默了 {idle:g} 秒，沒有送出 `event: status`（最後一個事"
        "件在第 {last:.1f} 秒）。"
    ),
    (
        "The AI Server or the backend stopped sending: look at the [SSE] lines of the "
        "backend log after the last event. If the Agent pauses longer on purpose, raise "
        "--idle-timeout."
    ): (
        "AI Server 或後端停止傳送了：查看後端日誌中最後一個事件之後的 [SSE] 行。如果 Agent 是"
        "刻意暫停較久，請調高 --idle-timeout。"
    ),
    "No `event: status` within the stream timeout of {limit:g} s ({count} log events so far).": (
        "在 {limit:g} 秒的串流時限內沒有收到 `event: status`（目前已收到 {count} 個 log 事件）。"
    ),
    "If the Agent runs longer than that, raise --stream-timeout.": (
        "如果 Agent 執行時間比這更長，請調高 --stream-timeout。"
    ),
    "The stream ended after {count} log events without `event: status`.": (
        "串流在 {count} 個 log 事件後結束，沒有送出 `event: status`。"
    ),
    "{count} lines are no SSE field (first: {line!r})": (
        "有 {count} 行不是 SSE 欄位（第一行：{line!r}）"
    ),
    "{count} lines were too long to keep": "有 {count} 行太長而無法保留",
    "the last event is not ended by a blank line": "最後一個事件沒有以空行結尾",
    "Malformed SSE framing: {findings}.": "SSE 格式錯誤：{findings}。",
    "Frame each event as `event: …`, `data: …` lines followed by a blank line.": (
        "每個事件應由 `event: …`、`data: …` 行組成，並以一個空行結尾。"
    ),
    (
        "The stream is compressed (Content-Encoding: {encoding}); compressed streams are "
        "buffered by proxies and clients."
    ): "串流經過壓縮（Content-Encoding: {encoding}）；壓縮過的串流會被代理伺服器和用戶端緩衝。",
    "Leave text/event-stream out of the backend's or the proxy's compression.": (
        "讓後端或代理伺服器的壓縮設定排除 text/event-stream。"
    ),
    "Double-framed events: {count} events carry SSE lines in their data (first: {data!r}).": (
        "事件被重複包裝：有 {count} 個事件的資料中含有 SSE 行（第一個：{data!r}）。"
    ),
    (
        "The backend wraps lines that are already framed: forward the AI Server's lines as "
        "they are, or strip their `data: ` before framing them again."
    ): (
        "後端把已經是 SSE 格式的行又包裝了一次：請原樣轉發 AI Server 的行，或在重新包裝前先去"
        "掉它們的 `data: `。"
    ),
    "The stream has no `Cache-Control: no-cache` header.": (
        "串流沒有 `Cache-Control: no-cache` 標頭。"
    ),
    "Send Cache-Control: no-cache so that caches and proxies pass events on.": (
        "送出 Cache-Control: no-cache，讓快取和代理伺服器即時轉送事件。"
    ),
    (
        "Slow events: up to {gap:.1f} s between two events, more than half the idle limit of "
        "{idle:g} s."
    ): "事件緩慢：兩個事件之間最長相隔 {gap:.1f} 秒，超過閒置上限 {idle:g} 秒的一半。",
    (
        "A longer pause makes clients give up: check what holds events back, or raise "
        "--idle-timeout."
    ): "更長的停頓會讓用戶端放棄連線：檢查是什麼擋住了事件，或調高 --idle-timeout。",
    "The server kept the stream open after `event: status`; it was closed here.": (
        "伺服器在 `event: status` 之後仍保持串流開啟；已由 sse-doctor 關閉。"
    ),
    "End the response after the status event; clients otherwise wait forever.": (
        "在 status 事件之後結束回應；否則用戶端會一直等待。"
    ),
    (
        "Buffered stream: {size} of {count} events arrived within {window} ms after "
        "{silence:.1f} s of silence."
    ): (
        "串流被緩衝：在 {silence:.1f} 秒的靜默後，{count} 個事件中有 {size} 個在 {window} 毫"
        "秒內同時到達。"
    ),
    (
        "Something between the AI Server and the client holds events back: turn proxy "
        "buffering off (X-Accel-Buffering: no) and flush after each event. A run that had "
        "already finished also replays its logs at once."
    ): (
        "AI Server 與用戶端之間有元件攔住了事件：關閉代理伺服器的緩衝（X-Accel-Buffering: "
        "no），並在每個事件後 flush。已結束的 Run 也會一次重播所有日誌。"
    ),
    # doctor/runner.py
    "Circular dependency.": "循環相依。",
    "Needs {dep}, which was not selected.": "需要 {dep}，但它未被選取。",
    "Skipped because {dep} did not pass.": "已略過，因為 {dep} 未通過。",
    "{title}: no answer within {seconds:g} s.": "{title}：{seconds:g} 秒內沒有回應。",
    # Output formats (doctor/formats/)
    "project {id}": "專案 {id}",
    "run {id}": "Run {id}",
    "No problem found.": "沒有發現問題。",
    "Try: {hint}": "建議：{hint}",
    "Seen in: {checks}": "相關檢查：{checks}",
    "Diagnosis": "可能的問題",
    "Success criteria": "成功標準",
    "(not evaluated)": "（未評估）",
    (
        "{passed} passed, {warned} warnings, {failed} failed, {errors} errors, {skipped} "
        "skipped in {seconds:.1f} s"
    ): (
        "通過 {passed}、警告 {warned}、失敗 {failed}、錯誤 {errors}、略過 {skipped}，共耗時 "
        "{seconds:.1f} 秒"
    ),
    "{done} done; running: {names}": "已完成 {done} 項；執行中：{names}",
    "Checks": "檢查結果",
    "Status": "狀態",
    "Check": "檢查項目",
    "Message": "訊息",
    "Hint": "建議",
    # sse-doctor stream (doctor/cli/stream.py), in the guide's script's words
    "📡 Starting SSE stream test...": "📡 開始測試 SSE 串流...",
    "Receiving SSE events (Ctrl+C stops):": "開始接收 SSE 事件（按 Ctrl+C 停止）：",
    "📨 Event type: {line}": "📨 事件類型: {line}",
    "📄 Data: {line}": "📄 資料: {line}",
    "✅ Stream ended! {count} lines received": "✅ 串流結束！共接收 {count} 行",
    "⏹️ Stopped with Ctrl+C: {count} lines received": "⏹️ 已按 Ctrl+C 停止：共接收 {count} 行",
    "Final status: {status}": "最終狀態：{status}",
    "Final status: not queried (stopped with Ctrl+C)": "最終狀態：未查詢（已按 Ctrl+C 停止）",
    # sse-doctor report (doctor/report/, doctor/cli/report.py)
    "containers named {prefix}* and {mongo}": "名稱為 {prefix}* 與 {mongo} 的容器",
    "No container named {prefix}* or {mongo} exists.": "沒有名稱為 {prefix}* 或 {mongo} 的容器。",
    "Container {name} is not running ({status}): its AI Server cannot answer.": (
        "容器 {name} 未運行（{status}）：其中的 AI Server 無法回應。"
    ),
    "Ended: {end}": "結束原因：{end}",
    "Error: {error}": "錯誤：{error}",
    "Stream ended: {count} lines received.": "串流結束：共接收 {count} 行。",
    "The SSE stream was not observed: the sse.stream check did not run.": (
        "沒有觀察 SSE 串流：sse.stream 檢查沒有執行。"
    ),
    "The SSE stream was not observed: {reason}": "沒有觀察 SSE 串流：{reason}",
    "No SSE line was received. sse.stream: {message}": "沒有收到任何 SSE 行。sse.stream：{message}",
    "container {name}": "容器 {name}",
    "Cannot read the log of {source}: {reason}": "無法讀取 {source} 的日誌：{reason}",
    "No backend log was given: pass --backend-log FILE or --backend-container NAME.": (
        "未提供後端日誌：請用 --backend-log FILE 或 --backend-container NAME 指定。"
    ),
    "Cannot read {source}: {reason}": "無法讀取 {source}：{reason}",
    "Source: {source}; {matched} matching lines in {size} bytes; looking for: {needles}": (
        "來源：{source}；在 {size} 位元組中有 {matched} 行符合；搜尋：{needles}"
    ),
    "(the {lines} oldest selected lines were left out at the size limit)": (
        "（因大小上限，省略了最舊的 {lines} 行選取內容）"
    ),
    "(only the last {mib} MiB were read; the {skipped} bytes before them were not)": (
        "（只讀取了最後 {mib} MiB；之前的 {skipped} 位元組未讀取）"
    ),
    "No line matches.": "沒有符合的行。",
    "{version} (API {api}, {os}/{arch}) at {host}": (
        "{version}（API {api}，{os}/{arch}），位於 {host}"
    ),
    "Docker engine: {engine}": "Docker 引擎：{engine}",
    "OS: {os}": "作業系統：{os}",
    "Libraries: {libraries}": "函式庫：{libraries}",
    "MongoDB server: {mongo}": "MongoDB 伺服器：{mongo}",
    "Effective configuration:": "實際生效的設定：",
    "not reachable: {reason}": "無法連線：{reason}",
    "… {lines} more lines in {file}": "… 其餘 {lines} 行請見 {file}",
    "sse-doctor report": "sse-doctor 報告",
    "backend {url}": "後端 {url}",
    "started {time}": "開始於 {time}",
    "exit status {code}": "結束代碼 {code}",
    "1. Tool output (complete test script output)": "1. 完整的測試腳本輸出",
    "Full output of sse-doctor run (run.txt)": "sse-doctor run 的完整輸出（run.txt）",
    "SSE transcript (sse-transcript.txt)": "SSE 逐行紀錄（sse-transcript.txt）",
    "2. Backend log: lines with [SSE]": "2. 後端 API 日誌（特別是 `[SSE]` 開頭的行）",
    "Backend log lines (backend-log.txt)": "後端日誌行（backend-log.txt）",
    "3. Container status": "3. 容器狀態",
    "As `docker ps -a | grep {prefix}` shows it:": "`docker ps -a | grep {prefix}` 的輸出：",
    "4. AI Server health": "4. AI Server 健康狀態",
    "Task list (/tasks)": "任務列表（/tasks）",
    (
        "Attached: the sse-doctor report bundle (summary.md, results.json, run.txt, "
        "sse-transcript.txt, backend-log.txt, docker-ps.txt, containers/, environment.txt, "
        "manifest.json). Secrets were replaced by {mark}."
    ): (
        "附件：sse-doctor 報告包（summary.md、results.json、run.txt、sse-transcript.txt、"
        "backend-log.txt、docker-ps.txt、containers/、environment.txt、manifest.json）。機密"
        "資訊已替換為 {mark}。"
    ),
    "Could not read it: {reason}": "無法讀取：{reason}",
    "Docker was not examined (--no-docker).": "未檢查 Docker（--no-docker）。",
    "Docker engine not reachable: {reason}": "無法連線到 Docker 引擎：{reason}",
    (
        "From `docker exec {name} wget -O- http://localhost:{port}/health` (and `/tasks`), "
        "in {base}/:"
    ): (
        "取自 `docker exec {name} wget -O- http://localhost:{port}/health`（以及 `/tasks`），"
        "檔案在 {base}/："
    ),
    "From the AI Server at {url} (in ai-server/):": (
        "取自位於 {url} 的 AI Server（檔案在 ai-server/）："
    ),
    "no {name} container is running.": "沒有運行中的 {name} 容器。",
    "The AI Server was not reached: {reason}": "無法連到 AI Server：{reason}",
    "Collecting the report bundle…": "正在收集報告包內容…",
    "Report bundle: {path} ({size})": "報告包：{path}（{size}）",
    (
        "Please review the bundle before sharing it: secrets were redacted, but check that "
        "nothing private is left."
    ): "分享前請先檢查報告包：機密資訊已遮蔽，但仍請確認沒有留下任何私人資訊。",
    # The command line (doctor/cli/)
    "LAYER": "層級",
    "TITLE": "標題",
    "DEPENDS ON": "相依於",
    "PACKAGE": "套件",
    "sse-doctor: aborted": "sse-doctor：已中止",
    "Demo stack at {url} (faults: {faults})": "示範環境位於 {url}（注入的故障：{faults}）",
    "none": "無",
}
