# ruff: noqa: E501
# (a template reads best on one line)
"""Russian. Plural forms: {n:plural:один|два|пять} (one, few, many)."""

from __future__ import annotations

from desktop.core.messages.codes import Code
from desktop.core.messages.setup_ru import TEMPLATES as SETUP

_CLOSE_GPU = "Закройте программы, использующие GPU, или выберите профиль поменьше."
_LOG = "Подробности — в журнале модели (dots-desktop models logs)."

TEMPLATES: dict[Code, str] = {
    # files
    Code.NOT_REGULAR_FILE: "{name}: это не обычный файл (канал, сокет или устройство).",
    Code.FILE_MISSING: "{name}: файл не найден.",
    Code.IS_FOLDER: "{name}: это папка, а не файл.",
    Code.FILE_UNREADABLE: "{name}: не удаётся прочитать файл ({detail}).",
    Code.CAPTURE_NOT_SAVED: "{name}: не удалось сохранить изображение в папке кэша ({detail}).",
    Code.FILE_EMPTY: "{name}: файл пуст.",
    Code.NOT_IMAGE_OR_PDF: "{name}: это не изображение и не PDF, которые читает приложение.",
    Code.IMAGE_DAMAGED: "{name}: изображение повреждено или обрезано ({detail}).",
    Code.IMAGE_TOO_LARGE: (
        "{name}: в изображении {width}x{height} пикселей, больше предела в {limit_mp} Мп."
    ),
    Code.IMAGE_TOO_MANY_PIXELS: (
        "{name}: в изображении слишком много пикселей, больше предела в {limit_mp} Мп."
    ),
    Code.IMAGE_NO_PIXELS: "{name}: в изображении нет пикселей.",
    Code.FRAME_UNREADABLE: "{name}: не удаётся прочитать страницу {page} ({detail}).",
    Code.PAGE_NOT_IN_FILE: (
        "{name}: страницы {page} нет; в файле {count} {count:plural:страница|страницы|страниц}."
    ),
    Code.NO_DATA: "{name}: данных нет.",
    Code.PAGE_RANGE_INVALID: "«{part}» — это не диапазон страниц.",
    Code.PAGE_RANGE_BEYOND: (
        "Страницы {page} нет; в документе {count} {count:plural:страница|страницы|страниц}."
    ),
    Code.PAGE_RANGE_EMPTY: "«{spec}» не выбирает ни одной страницы.",
    Code.FIX_SAVE_TO_FILE: "Сохраните страницы в файл и откройте его.",
    Code.FIX_CHECK_READABLE: "Проверьте, что он существует и у вас есть право его читать.",
    Code.FIX_USE_FORMATS: "Используйте PNG, JPEG, WebP, BMP, GIF, TIFF или PDF.",
    Code.FIX_RESAVE_IMAGE: "Откройте его в программе просмотра изображений и сохраните заново.",
    Code.FIX_SCALE_DOWN: "Уменьшите или обрежьте его перед распознаванием.",
    Code.FIX_PAGE_RANGE_FORMAT: "Укажите страницы так: «1-3,7».",
    # PDF
    Code.PDF_WRONG_PASSWORD: "{name}: неверный пароль.",
    Code.PDF_PASSWORD: "{name}: PDF защищён паролем.",
    Code.PDF_DAMAGED: "{name}: PDF повреждён или неполон ({detail}).",
    Code.PDF_NO_PAGES: "{name}: в PDF нет страниц.",
    Code.FIX_CHECK_PASSWORD: "Проверьте его и попробуйте снова.",
    Code.FIX_ENTER_PASSWORD: "Введите пароль, чтобы прочитать его.",
    Code.FIX_RESAVE_PDF: (
        "Откройте его в программе просмотра PDF и сохраните или напечатайте в новый PDF."
    ),
    # page geometry and context
    Code.PAGE_NO_PIXELS: "В изображении нет пикселей ({width}x{height}).",
    Code.ASPECT_TOO_EXTREME: (
        "Размер страницы {width}x{height} пикселей, соотношение сторон больше {limit}."
    ),
    Code.FIX_CROP_PIECES: "Разрежьте её на более короткие части и распознайте их.",
    Code.CONTEXT_TOO_SMALL: (
        "Контекст сервера в {tokens} {tokens:plural:токен|токена|токенов} не вмещает"
        " изображение страницы и ответ."
    ),
    Code.FIX_LARGER_MODEL_LEN: "Перезапустите модель с бо́льшим --max-model-len.",
    Code.CONTEXT_TOO_LONG: "Страница не помещается в контекст сервера даже после подгонки{tried}.",
    Code.CONTEXT_TOO_LONG_SIZED: (
        "Страница не помещается в контекст сервера ({tokens}"
        " {tokens:plural:токен|токена|токенов}) даже после подгонки{tried}."
    ),
    Code.FIX_LOWER_MAX_TOKENS: (
        "Уменьшите --max-tokens или перезапустите модель с бо́льшим --max-model-len."
    ),
    Code.IMAGE_REDUCED: (
        "изображение уменьшено до {width}x{height}, чтобы уместиться в контекст сервера"
        " на {tokens} {tokens:plural:токен|токена|токенов}"
    ),
    Code.ANSWER_LIMITED: (
        "ответ ограничен {tokens} {tokens:plural:токеном|токенами|токенами} (запрошено {asked})"
    ),
    Code.ANSWER_TOO_SLOW: (
        "Ответ всё ещё шёл через {seconds} с, дольше, чем нужно для его бюджета токенов;"
        " он оборван."
    ),
    Code.ANSWER_TOO_BIG: (
        "Ответ превысил {chars} символов, больше, чем вмещает его бюджет токенов; он оборван."
    ),
    Code.FIT_NOTES: "{notes:join:; }",
    Code.FIT_TRIED: " ({notes:join:; })",
    # servers and HTTP
    Code.SERVER_UNAVAILABLE: "По адресу {url} не отвечает сервер распознавания.",
    Code.FIX_START_MODEL: "Запустите модель на панели «Модель» или проверьте адрес.",
    Code.AUTH_REJECTED: "Сервер распознавания по адресу {url} отклонил ключ API.",
    Code.AUTH_NEEDED: "Серверу распознавания по адресу {url} нужен ключ API.",
    Code.FIX_SET_API_KEY: (
        "Задайте ключ в «Настройках» окна (или через --api-key либо DOTS_DESKTOP_API_KEY)."
    ),
    Code.MODEL_NOT_SERVED: "На сервере нет модели с именем «{model}»; есть: {served}.",
    Code.MODEL_NOT_SERVED_NONE: "На сервере нет модели с именем «{model}» и нет других моделей.",
    Code.FIX_PICK_SERVED: (
        "Оставьте имя модели пустым, чтобы взять ту, что на сервере,"
        " или выберите одну из перечисленных."
    ),
    Code.SERVER_TIMEOUT: "Сервер распознавания по адресу {url} не ответил вовремя.",
    Code.FIRST_TOKEN_TIMEOUT: "Сервер распознавания не начал отвечать за {seconds:.0f} с.",
    Code.STREAM_QUIET: "Сервер распознавания молчал {seconds:.0f} с во время чтения страницы.",
    Code.STREAM_BROKEN: (
        "Соединение с сервером распознавания по адресу {url} оборвалось во время чтения"
        " ({kind}); возможно, он упал или перезапустился."
    ),
    Code.NO_MODELS_LISTED: "Сервер по адресу {url} пока не предлагает ни одной модели.",
    Code.NOT_A_MODEL_LIST: "{url} ответил на /v1/models не списком моделей.",
    Code.SERVER_SAYS: "Сервер сообщает: {detail}",
    Code.HTTP_REFUSED: "Сервер отклонил запрос (HTTP {status}): {detail}",
    Code.HTTP_FAILED: "Сервер распознавания дал сбой (HTTP {status}): {detail}.",
    Code.HTTP_FAILED_BARE: "Сервер распознавания дал сбой (HTTP {status}) без подробностей.",
    # the answer stream
    Code.STREAM_EVENT_MALFORMED: "Сервер прислал повреждённое событие потока.",
    Code.STREAM_EVENT_UNREADABLE: "Сервер прислал повреждённое событие потока: {text!r}.",
    Code.STREAM_EVENT_TOO_DEEP: (
        "Сервер прислал событие потока со слишком глубокой вложенностью; оно отклонено."
    ),
    Code.STREAM_SERVER_ERROR: "Сервер дал сбой во время ответа: {detail}",
    # engines
    Code.NO_ENGINE: "Движок распознавания не настроен.",
    Code.FIX_CHOOSE_ENGINE: "Откройте «Настройки» и выберите его.",
    Code.NO_SERVER_ADDRESS: "Адрес сервера не задан.",
    Code.FIX_ENTER_ENDPOINT: "Откройте «Настройки» и введите адрес сервера.",
    Code.ENGINE_NEEDS_ADDRESS: "Движку «сервер» нужен адрес сервера.",
    Code.FIX_PASS_ENDPOINT: "Укажите --endpoint URL или задайте DOTS_DESKTOP_ENDPOINT.",
    Code.BUILTIN_NOT_IN_BUILD: "Встроенного движка нет в этой сборке ({detail}).",
    Code.BUILTIN_LIBRARIES_MISSING: (
        "встроенному распознаванию нужны rapidocr, onnxruntime и OpenCV ({detail})"
    ),
    Code.FIX_USE_SERVER_ENGINE: "Используйте --engine server с --endpoint URL.",
    Code.UNKNOWN_ENGINE: "Неизвестный движок «{kind}».",
    Code.FIX_ENGINE_KINDS: "Укажите server или builtin.",
    Code.CANNOT_CHAT: "{engine} не умеет обсуждать страницы.",
    Code.FIX_CHAT_MODEL: (
        "Запустите модель, умеющую вести чат (dots.ocr или Qwen3-VL), на панели «Модель»."
    ),
    Code.BUILTIN_CANNOT_CHAT: (
        "Встроенный движок на CPU распознаёт страницы, но не умеет обсуждать их."
    ),
    Code.FIX_START_SERVER_TO_CHAT: (
        "Чтобы задавать вопросы о странице, запустите сервер модели или контейнер."
    ),
    Code.REGION_NEEDED: (
        "Чтобы распознать область, её нужно выделить: сначала обведите рамку на странице."
    ),
    Code.TESSERACT_MISSING: "Tesseract не установлен, поэтому текст «{languages}» не прочитать.",
    Code.TESSERACT_NO_PACK: "У Tesseract нет языкового пакета для {languages}.",
    Code.FIX_INSTALL_TESSERACT: "Чтобы прочитать его, {how}.",
    Code.INSTALL_PACK: "установите языковой пакет Tesseract «{language}»: {how}",
    Code.INSTALL_WITH_PACK: "установите Tesseract с языковым пакетом «{language}»: {how}",
    Code.HOW_WINDOWS_NEW: "запустите установщик Tesseract от UB Mannheim и отметьте {lang}.traineddata среди дополнительных языковых данных",
    Code.HOW_WINDOWS_ADD: "перезапустите установщик от UB Mannheim и отметьте {lang}.traineddata или скопируйте {lang}.traineddata в папку tessdata Tesseract",
    Code.HOW_LINUX_PACKAGE: "установите пакет Tesseract вашего дистрибутива для «{lang}»",
    Code.BUNDLED_LANGUAGES_ONLY: (
        "Встроенные модели читают латиницу и китайский, но не «{languages}»."
    ),
    Code.FIX_LET_ENGINE_CHOOSE: ("Предоставьте выбор движку: другие языки читает Tesseract."),
    Code.TESSERACT_FAILED: "Сбой Tesseract: {detail}.",
    Code.BUILTIN_CANNOT_START: "Встроенный движок не может запуститься: {detail}.",
    Code.BUILTIN_CANNOT_RUN: "Встроенный движок не может работать здесь: {detail}",
    Code.FIX_CHECK_TESSERACT: "Проверьте его установку и языковые пакеты.",
    Code.LAYOUT_PASS_EMPTY: "проход только по разметке не нашёл блоков",
    Code.BATCH_MISSING: "Пакет {batch_id} не сохранён.",
    Code.INTERNAL_ERROR: "Чтение остановила внутренняя ошибка ({kind}; см. журнал).",
    Code.INTERNAL_ERROR_IN: "{name}: чтение остановила внутренняя ошибка ({kind}; см. журнал).",
    Code.UNEXPECTED: "{kind}: {detail}",
    Code.EXPORT_FAILED: "Не удалось записать {target}: {detail}.",
    Code.FIX_FREE_SPACE: "Освободите место или выберите другую папку --out.",
    Code.FIX_WRITABLE_FOLDER: "Выберите папку, в которую у вас есть право записи.",
    # page reasons
    Code.READ_WITH_TESSERACT: "прочитано Tesseract ({languages})",
    Code.LOOP_SAME_BLOCK: (
        "один и тот же блок {category} повторён {times} {times:plural:раз|раза|раз}"
    ),
    Code.LOOP_TEXT: "текст {text!r} повторён {times} {times:plural:раз|раза|раз}",
    Code.PAGE_LOOP_CUT: "Зацикливание прервано ({loop}).",
    Code.PAGE_LOOP_REREAD: (
        "Зацикливание остановлено после {chars} {chars:plural:символа|символов|символов}"
        " ({loop}); страница перечитана: разметка и {regions}"
        " {regions:plural:область|области|областей}."
    ),
    Code.PAGE_LOOP_REREAD_FAILED: (
        "Зацикливание остановлено после {chars} {chars:plural:символа|символов|символов}"
        " ({loop}); перечитать не удалось: {error}"
    ),
    Code.PAGE_CUT_AT_LIMIT: "Ответ обрезан на лимите токенов.",
    Code.PAGE_EMPTY_ANSWER: "Модель вернула пустой ответ.",
    Code.PAGE_LIMIT_BEFORE_BLOCK: "Ответ упёрся в лимит токенов до первого блока.",
    Code.PAGE_LIMIT_KEPT: "Ответ упёрся в лимит токенов; сохранено полных блоков: {count}.",
    Code.PAGE_LIMIT_KEPT_CUT: (
        "Ответ упёрся в лимит токенов; сохранено полных блоков: {count} и обрезанный последний."
    ),
    Code.PAGE_NO_LAYOUT: "В ответе модели нет читаемых блоков разметки.",
    Code.PAGE_JSON_RECOVERED: "JSON модели повреждён; восстановлено блоков: {count}.",
    Code.PAGE_JSON_RECOVERED_CUT: (
        "JSON модели повреждён; восстановлено блоков: {count} и обрезанный последний."
    ),
    Code.PAGE_REPEATS_REMOVED: "Удалено повторённых блоков (модель зациклилась): {count}.",
    Code.PAGE_STOPPED_EARLY: "Ответ остановился раньше времени ({finish}).",
    Code.PAGE_BOXLESS_LEFT_OUT: "Пропущено блоков без годной рамки: {count}.",
    Code.PAGE_NO_USABLE_BOX: "В ответе модели нет ни одного блока с годной рамкой; {left_out}",
    Code.PAGE_CANCELLED: "Отменено.",
    Code.SCRIPT_CYRILLIC: "кириллица",
    Code.SCRIPT_GREEK: "греческий алфавит",
    Code.SCRIPT_ARABIC: "арабское письмо",
    Code.SCRIPT_HEBREW: "еврейское письмо",
    Code.SCRIPT_DEVANAGARI: "деванагари",
    Code.PAGE_NOT_RENDERED: "Страницу не удалось отрисовать.",
    Code.EARLIER_PAGE_FAILED: "Не удалось прочитать одну из предыдущих страниц.",
    Code.ENGINE_NO_RESULT: "Движок завершил работу без результата.",
    Code.PAGE_STREAM_CUT: "Ответ оборвался после {count} {count:plural:блока|блоков|блоков}, они сохранены: {why}",
    Code.PAGE_TEXT_CUT: "Ответ оборвался; полученный текст сохранён: {why}",
    # -- issue 15, reader side: cut regions, DPI, prose, categories ---------------------
    Code.BLOCK_CUT_LOOP: "её чтение зациклилось ({loop}) и было остановлено",
    Code.BLOCK_CUT_LIMIT: "её чтение упёрлось в лимит {tokens} токенов",
    Code.PAGE_REGIONS_CUT: (
        "{count:plural:Область|Области|Области} {regions:join:, }"
        " {count:plural:обрезана|обрезаны|обрезаны} и {count:plural:помечена|помечены|помечены}"
        " […]: {why:join:; }."
    ),
    Code.PAGE_DPI_REDUCED: (
        "Отрисовано с {used} DPI вместо {asked}: при {asked} DPI на странице было бы"
        " {megapixels} млн пикселей, больше {limit} млн, которые читает модель."
    ),
    Code.PAGE_PROSE_KEPT: (
        "Модель ответила связным текстом вместо JSON с разметкой; текст сохранён одним"
        " блоком Text без координат."
    ),
    Code.BLOCK_CATEGORY_UNKNOWN: "модель назвала его {category!r}",
    Code.PAGE_UNKNOWN_CATEGORIES: (
        "У {count} {count:plural:блока|блоков|блоков} категория, которой нет в dots.ocr"
        " ({names:join:, }); {count:plural:сохранён|сохранены|сохранены} как Text."
    ),
    # -- (end of issue 15, reader side) -----------------------------------------------
    Code.FOREIGN_SCRIPT: (
        "Похоже, текст страницы записан в системе письма «{script}» (например, {language}),"
        " которую встроенные модели не читают; чтобы прочитать его, {how}."
    ),
    # -- built-in engine, odd pages (engines/builtin/pageprep.py) ------------------------
    Code.PAGE_READ_SMALLER: (
        "Страница размером {width}x{height} пикселей прочитана уменьшенной до"
        " {read_width}x{read_height}, чтобы хватило памяти, поэтому очень мелкий текст мог"
        " быть пропущен."
    ),
    Code.PAGE_TURNED: (
        "Текст на странице лежал повёрнутым, поэтому она прочитана с поворотом на {degrees}"
        " {degrees:plural:градус|градуса|градусов} по часовой стрелке."
    ),
    # -- (end of built-in engine, odd pages) ---------------------------------------------
    # Docker and the model runtime
    Code.DEFAULT_SOCKET: "сокет по умолчанию",
    Code.DOCKER_NO_PERMISSION: (
        "Docker запущен, но этому пользователю нельзя им пользоваться ({where})."
    ),
    Code.DOCKER_MISSING: "Docker не установлен.",
    Code.DOCKER_DOWN: "Docker не запущен или недоступен ({where}).",
    Code.FIX_DOCKER_GROUP: (
        "Добавьте себя в группу docker (sudo usermod -aG docker $USER),"
        " затем выйдите из системы и войдите снова."
    ),
    Code.FIX_INSTALL_DOCKER_DESKTOP: "Установите Docker Desktop с бэкендом WSL 2 и запустите его.",
    Code.FIX_START_DOCKER_DESKTOP: (
        "Запустите Docker Desktop и дождитесь надписи «Engine running»."
    ),
    Code.FIX_INSTALL_DOCKER_MAC: (
        "Установите и запустите Docker Desktop (на macOS нет GPU NVIDIA: используйте"
        " удалённый сервер или встроенный движок)."
    ),
    Code.FIX_START_DOCKER_MAC: (
        "Запустите Docker Desktop (на macOS нет GPU NVIDIA: используйте удалённый сервер"
        " или встроенный движок)."
    ),
    Code.FIX_INSTALL_DOCKER_LINUX: (
        "Установите Docker Engine (https://docs.docker.com/engine/install/)"
        " и NVIDIA Container Toolkit."
    ),
    Code.FIX_START_DOCKER_LINUX: "Запустите его командой: sudo systemctl start docker",
    Code.DOCKER_LOST: "Docker перестал отвечать.",
    Code.FIX_DOCKER_LOST: "Снова запустите Docker; приложение переподключится при запуске модели.",
    Code.NO_KERNEL_IMAGE: "GPU новее, чем сборка CUDA в этом образе vLLM.",
    Code.FIX_NO_KERNEL_IMAGE: (
        "Для карт RTX 50xx используйте образ, собранный с CUDA 12.8 или новее (и драйвер >= 570)."
    ),
    Code.FREE_MEMORY_LOW: "Свободной памяти GPU меньше, чем требует --gpu-memory-utilization.",
    Code.FIX_FREE_MEMORY_LOW: (
        "Закройте программы, использующие GPU, или уменьшите --gpu-memory-utilization в профиле."
    ),
    Code.NO_KV_MEMORY: "После загрузки модели для KV-кэша не осталось памяти.",
    Code.FIX_NO_KV_MEMORY: (
        "Увеличьте --gpu-memory-utilization или выберите профиль поменьше или FP8."
    ),
    Code.GPU_OOM: "При запуске модели закончилась память GPU.",
    Code.FIX_GPU_OOM: (
        "Закройте программы, использующие GPU, уменьшите --max-model-len / --max-num-seqs"
        " или добавьте --enforce-eager."
    ),
    Code.MODEL_GATED: (
        "Hugging Face отказал в загрузке: доступ к модели ограничен или нет токена."
    ),
    Code.FIX_MODEL_GATED: (
        "Примите лицензию модели на huggingface.co и сохраните свой токен в настройках."
    ),
    Code.MODEL_NOT_FOUND: "Hugging Face не знает такой идентификатор модели.",
    Code.FIX_MODEL_NOT_FOUND: "Проверьте hf_model_id в профиле.",
    Code.DISK_FULL: "Диск заполнен (весам модели нужно несколько ГБ).",
    Code.FIX_DISK_FULL: "Освободите место на диске, где Docker хранит тома, и запустите снова.",
    Code.PORT_IN_USE: "Порт уже занят другой программой.",
    Code.FIX_PORT_IN_USE: "Остановите другой сервер или выберите другой порт в настройках.",
    Code.NO_NVIDIA_RUNTIME: (
        "Docker не может предоставить контейнерам GPU (не установлен NVIDIA Container Toolkit)."
    ),
    Code.FIX_NO_NVIDIA_RUNTIME: (
        "Установите NVIDIA Container Toolkit и перезапустите Docker"
        " (Windows: обновите Docker Desktop и драйвер NVIDIA)."
    ),
    Code.MODEL_DOWNLOAD_OFFLINE: "Весов модели нет в кэше, а Hugging Face недоступен.",
    Code.FIX_MODEL_DOWNLOAD_OFFLINE: "Подключитесь к интернету один раз, чтобы скачать модель.",
    Code.HOST_OOM: (
        "На компьютере закончилась оперативная память, и система завершила сервер модели."
    ),
    Code.FIX_HOST_OOM: (
        "Закройте программы или выделите Docker больше памяти"
        " (Docker Desktop: Settings > Resources)."
    ),
    Code.IMAGE_MISSING_OFFLINE: "Образа модели нет на этом компьютере, а реестр недоступен.",
    Code.FIX_IMAGE_MISSING_OFFLINE: (
        "Подключитесь к интернету один раз, чтобы скачать образ (docker pull)."
    ),
    Code.KV_TOO_SMALL: (
        "KV-кэш не вмещает ни одного запроса полной длины; по оценке vLLM помещается"
        " {tokens} {tokens:plural:токен|токена|токенов}."
    ),
    Code.FIX_KV_TOO_SMALL: (
        "Запустите с --max-model-len {tokens} (или увеличьте --gpu-memory-utilization)."
    ),
    Code.SERVER_CRASHED: "Сервер модели остановился (код выхода {exit_code}).",
    Code.SERVER_CRASHED_SAYING: "Сервер модели остановился (код выхода {exit_code}): {line}",
    Code.FIX_SEE_MODEL_LOG: _LOG,
    Code.READY_TIMEOUT: "Модель не стала готова за {seconds:.0f} с.",
    Code.FIX_SEE_MODEL_LOG_SHORT: _LOG,
    Code.FOREIGN_SERVES: (
        "Контейнер «{container}» запущен не Dots Desktop и уже обслуживает {served}"
        " на порту {port}."
    ),
    Code.FIX_FOREIGN_SERVES: (
        "Используйте его как есть или сначала остановите (docker stop {container})."
    ),
    Code.FOREIGN_NAME: "Есть контейнер с именем «{container}», который создал не Dots Desktop.",
    Code.FIX_FOREIGN_NAME: "Переименуйте или удалите его (docker rm {container}).",
    Code.GPU_NOT_RELEASED: (
        "Память GPU не вернулась к уровню до запуска модели за {seconds:.0f} с:"
        " всё ещё занято {held_gib:.1f} ГиБ."
    ),
    Code.FIX_GPU_NOT_RELEASED: (
        "Закройте программу, занимающую память GPU (её покажет nvidia-smi), и запустите снова."
    ),
    Code.NOT_ENOUGH_VRAM: (
        "Для {profile} нужно около {need_gib:.1f} ГиБ, а свободно только {free_gib:.1f} ГиБ"
        " (не хватает {short_gib:.1f} ГиБ)."
    ),
    Code.NO_GPU: "Нет GPU NVIDIA: этот профиль здесь не запустить.",
    Code.PLAN_FITS: "Помещается: нужно около {need_gib:.1f} ГиБ, свободно {free_gib:.1f} ГиБ.",
    Code.PLAN_FITS_CHANGED: "Помещается: нужно около {need_gib:.1f} ГиБ, свободно {free_gib:.1f} ГиБ: {changes:join:; }.",
    Code.PLAN_UTIL_LOWERED: "свободно только {free_gib:.1f} ГиБ из {total_gib:.1f} ГиБ, поэтому --gpu-memory-utilization снижен с {before:g} до {after:.2f}",
    Code.PLAN_LEN_LOWERED: "--max-model-len снижен с {before} до {after} (KV-кэш должен вмещать один запрос полной длины)",
    Code.PLAN_KV_PINNED: "--kv-cache-memory-bytes закреплён на {gib:.1f} ГиБ",
    Code.PLAN_FEW_SEQUENCES: "одновременно помещается запросов полной длины: около {count} (профиль допускает {allowed}); уменьшите --max-model-len, чтобы их было больше",
    Code.NOTE_KV_RESTARTED: "По оценке vLLM в KV-кэш помещается не больше {tokens} {tokens:plural:токена|токенов|токенов} на запрос, поэтому модель перезапущена с --max-model-len {tokens}.",
    Code.NOTE_UNKNOWN_API_KEY: "Серверу нужен ключ API, которого приложение не знает; задайте его в настройках.",
    Code.NOTE_LEFT_RUNNING: "«{container}» оставлен работать: его запустил не Dots Desktop.",
    Code.FIX_NO_FIT: _CLOSE_GPU,
    Code.DOCKER_START_FAILED: "Docker не смог запустить контейнер: {detail}",
    Code.DOCKER_REFUSED: "Docker отказал: {detail}",
    Code.FIX_SEE_DOCKER_ERROR: "Смотрите ошибку Docker выше.",
    Code.PULL_FAILED: "Docker не смог скачать {image}: {detail}",
    Code.FIX_PULL_FAILED: "Проверьте имя образа в профиле и подключение к интернету.",
    # model profiles
    Code.PROFILE_KEY_MISSING: "{where}: нет ключа «{key}».",
    Code.FIX_ADD_KEY: "Добавьте его в профиль.",
    Code.PROFILE_KEY_TYPE: "{where}: ключ «{key}» должен быть типа {kinds}, а он {value}.",
    Code.PROFILE_KEY_UNKNOWN: "{where}: неизвестный ключ «{key}».",
    Code.FIX_CHECK_SPELLING: "Проверьте написание.",
    Code.PROFILE_ID_EMPTY: "{where}: ключ «id» не должен быть пустым.",
    Code.PROFILE_MANAGED_FLAG: "{where}: ключ «flags» не должен содержать {flag}.",
    Code.FIX_MANAGED_FLAG: "Задайте его в [memory] (или его выберет приложение).",
    Code.PROFILE_MODE_UNKNOWN: "{where}: в ключе «modes» есть {mode!r}; допустимы: {allowed}.",
    Code.PROFILE_BOX_CONVENTION: "{where}: ключ «box_convention» должен быть одним из {allowed}.",
    Code.PROFILE_UTILIZATION: (
        "{where}: ключ «gpu_memory_utilization» должен быть от 0.05 до 0.99."
    ),
    Code.PROFILE_LENGTHS: "{where}: ключи «max_model_len» (>= 256) / «max_num_seqs» (>= 1).",
    Code.PROFILE_NOT_TOML: "{where}: это не корректный TOML ({detail}).",
    Code.PROFILE_UNREADABLE: "{where}: не удаётся прочитать ({detail}).",
    Code.NO_PROFILES: "Профили моделей не найдены.",
    Code.FIX_NO_PROFILES: "Переустановите приложение или добавьте профиль в папку настроек.",
    Code.PROFILE_UNKNOWN: "Нет профиля модели «{name}».",
    Code.FIX_KNOWN_PROFILES: "Известные: {names}.",
    # the command line
    Code.CLI_NO_SUCH_FILE: "{path}: файл не найден. Проверьте путь.",
    Code.CLI_FOLDER_UNREADABLE: "{path}: не удаётся прочитать папку ({detail}).",
    Code.CLI_FOLDER_EMPTY: "{path}: в папке нет изображений или PDF.",
    Code.CLI_SKIPPED: "{path}: пропущено файлов, которые не изображения и не PDF: {count}.",
    Code.CLI_NONE_READ: "Не удалось прочитать ни один из входов ({count}).",
    Code.CLI_LANG_IGNORED: "Примечание: --lang {languages} не учитывается: он действует только для --engine builtin.",
    Code.CLI_PAGE_LINE: "{prefix}страница {done}/{total}: {status}",
    Code.CLI_PAGE_LINE_WHY: "{prefix}страница {done}/{total}: {status} ({why})",
    Code.CLI_WROTE: "записан {target}",
    Code.CLI_WROTE_WORKBOOK: "записан {target} (таблиц: {count})",
    Code.CLI_WROTE_CSVS: "записано CSV-файлов в {folder}: {count}",
    Code.CLI_UNEXPECTED: "Непредвиденная ошибка: {kind}: {detail}",
    Code.CLI_INTERRUPTED: "Прервано.",
    Code.CLI_PAGE_NOT_READ: "Не прочитана: {why}",
    Code.CLI_RENAMED: "{source}: записан как {name}, у другого входного файла то же имя.",
    Code.CLI_WROTE_PICTURES: "записано изображений в {folder}: {count}",
    Code.USAGE_CONCURRENCY: "--concurrency должен быть 1 или больше.",
    Code.USAGE_DPI: "--dpi должен быть от 36 до 1200.",
    Code.USAGE_MAX_TOKENS: "--max-tokens должен быть 1 или больше.",
    Code.USAGE_XLSX_OUT: "--format xlsx пишет книгу: добавьте --out ПАПКА.",
    Code.USAGE_SERVER_ENDPOINT: "Для --engine server нужен --endpoint URL (или DOTS_DESKTOP_ENDPOINT).",
    Code.USAGE_LANG: "--lang «{lang}»: укажите auto или коды языков, например rus или rus+eng.",
    Code.USAGE_IN_FILE: "{file}: {error}",
    Code.STATUS_PENDING: "ожидает",
    Code.STATUS_OK: "готово",
    Code.STATUS_PARTIAL: "частично",
    Code.STATUS_RECOVERED: "восстановлено",
    Code.STATUS_FAILED: "ошибка",
    # start-up stages
    Code.STAGE_PULLING: "скачивание образа",
    Code.STAGE_CREATED: "запуск контейнера",
    Code.STAGE_LOADING_WEIGHTS: "загрузка весов",
    Code.STAGE_PROFILING: "оценка памяти",
    Code.STAGE_KV_CACHE: "выделение KV-кэша",
    Code.STAGE_CUDA_GRAPHS: "захват CUDA-графов",
    Code.STAGE_API_SERVER: "запуск API-сервера",
    Code.STAGE_READY: "готов",
    Code.STAGE_STOPPING: "остановка",
    # extraction by schema (issue 17)
    Code.SCHEMA_NOT_JSON: "{name}: схема не является корректным JSON (строка {line}).",
    Code.SCHEMA_NOT_OBJECT: '{name}: схема должна описывать объект со свойствами ("type": "object").',
    Code.SCHEMA_BROKEN: "{name}: это не корректная JSON Schema (в {pointer}).",
    Code.SCHEMA_UNREADABLE: "{name}: файл схемы не читается ({detail}).",
    Code.FIX_SCHEMA_FILE: "Укажите файл JSON Schema, например один из шаблонов в resources/schemas.",
    Code.BREACH_MISSING: "поле {pointer} отсутствует",
    Code.BREACH_TYPE: "поле {pointer} не имеет тип {expected}",
    Code.BREACH_CHOICE: "поле {pointer} не входит в допустимые значения",
    Code.BREACH_RULE: "поле {pointer} нарушает правило схемы {rule}",
    Code.EXTRACT_NOT_JSON: "Страница {page}: модель ответила не в формате JSON.",
    Code.EXTRACT_BREACH: "Страница {page}: ответ нарушает схему: {breach}.",
    Code.EXTRACT_BREACH_MERGED: "Страницы вместе нарушают схему: {breach}.",
    Code.EXTRACT_NO_CHAT: "{model} не умеет заполнять схему: эта модель только распознаёт страницы.",
    Code.FIX_EXTRACT_CHAT_MODEL: "Используйте чат-модель, например Qwen3-VL, или общий промпт dots.mocr.",
    Code.CLI_EXTRACT_FAILED: "{source}: {why}",
    Code.CLI_EXTRACT_PAGE: "{source}: страница {done}/{total} извлечена",
    Code.CLI_EXTRACT_ROWS: "извлечено входных файлов: {ok} из {total}",
    Code.EXTRACT_CANCELLED: "Извлечение отменено.",
    Code.EXTRACT_NOTHING_TO_EXPORT: "Пока нет извлечённых строк для экспорта.",
    # the window: chat answers, copies, captures, reading speed (issue 19, window1)
    Code.CHAT_LAYOUT_ANSWER: (
        "Этот ответ — разметка страницы ({count} {count:plural:блок|блока|блоков}), а не "
        "ответ на вопрос: dots.ocr читает страницы; для вопросов возьмите чат-модель, "
        "например Qwen3-VL."
    ),
    Code.COPIED_TO_CLIPBOARD: ("В буфер обмена скопировано знаков: {chars}."),
    Code.COPIED_WITH_TABLES: ("В буфер обмена скопировано знаков: {chars}, таблиц: {tables}."),
    Code.CAPTURE_NOT_COPIED: (
        "Результат сомнителен: {why}. Буфер обмена не изменён; текст — в окне программы."
    ),
    Code.DOUBT_LITTLE_TEXT: "текста почти не найдено",
    Code.DOUBT_ONE_COLUMN_TABLE: "в найденной таблице всего один столбец",
    Code.DOUBT_GARBLED: "большинство прочитанных знаков — не буквы и не цифры",
    Code.FONT_NO_CJK: (
        "Ни один установленный шрифт не показывает китайский, японский или корейский текст: "
        "такие знаки видны как пустые квадраты."
    ),
    Code.FIX_INSTALL_CJK_FONT: (
        "Установите CJK-шрифт, например Noto Sans CJK (в Debian или Ubuntu: fonts-noto-cjk), "
        "и перезапустите Dots Desktop."
    ),
    Code.READING_SPEED: "{engine}: {seconds} с на страницу",
    Code.READING_ETA: (
        "осталось около {minutes} мин {seconds} с на {pages} "
        "{pages:plural:страницу|страницы|страниц}"
    ),
}
TEMPLATES.update(SETUP)

# Documents out: searchable PDF and Word (issue 17)
TEMPLATES.update(
    {
        Code.EXPORT_SOURCE_UNREADABLE: "Не удалось создать {target}: исходный файл {source} "
        "не читается ({detail}).",
        Code.FIX_EXPORT_SOURCE: "Верните исходный файл на место, откуда он был прочитан, "
        "или экспортируйте в Markdown, Word или текст: им нужны только результаты.",
        Code.DOCX_FORMULA_AS_LATEX: "(формула оставлена в LaTeX: Word не может показать её "
        "как уравнение)",
        Code.DOCX_PICTURE_MISSING: "(рисунок не вставлен: исходная страница не читается)",
        Code.USAGE_DOCUMENT_OUT: "--format {fmt} пишет файл на каждый вход: добавьте --out ПАПКА.",
    }
)

# Facts that were still English: models list, self-test (commands/)
TEMPLATES.update(
    {
        Code.CLI_ERROR: "ошибка: {why}",
        Code.MODELS_GPU: "GPU {index}: {name}, свободно {free_gib:.1f} из {total_gib:.1f} ГиБ",
        Code.MODELS_NO_GPU: "GPU NVIDIA не найден: профили можно запустить на удалённом сервере.",
        Code.MODELS_FIT_NO_GPU: "нет GPU",
        Code.MODELS_FIT_NO: "не помещается: {why}",
        Code.MODELS_FITS_WITH: "помещается с {changes}",
        Code.MODELS_FITS: "помещается ({need_gib:.1f} ГиБ)",
        Code.MODELS_NO_CONTAINER: (
            "Контейнер модели не найден (dots-desktop models start ПРОФИЛЬ)."
        ),
        Code.MODELS_NONE_RUNNING: "Сервер модели не запущен.",
        Code.MODELS_NONE_RUNNING_START: (
            "Сервер модели не запущен. Запустите его так: dots-desktop models start ПРОФИЛЬ"
        ),
        Code.MODELS_STOPPED: "Контейнер {name} остановлен.",
        Code.MODELS_ENDED_IN_STATE: "модель так и не запустилась (состояние: {state})",
        Code.SELFTEST_STEP_FAILED: "{step}: {why}",
        Code.SELFTEST_STEP_CRASHED: "{step}: {kind}: {detail}",
        Code.SELFTEST_ICON_MISSING: "значок приложения (resources/icons/dots-desktop.svg) не загрузился",
        Code.SELFTEST_WINDOW_NOT_SHOWN: "главное окно не появилось за {seconds:.0f} с",
        Code.SELFTEST_MODULE_MISSING: "нет модуля {name} ({detail})",
        Code.SELFTEST_NO_PROFILES: "не найдено ни одного профиля модели (model_profiles/*.toml)",
        Code.SELFTEST_LIBRARY_PATH: "LD_LIBRARY_PATH всё ещё указывает внутрь сборки ({bundle})",
        Code.SELFTEST_QT_RUSSIAN_MISSING: "в {folder} нет файла Qt qtbase_ru.qm",
        Code.SELFTEST_RUSSIAN_NOT_LOADED: "русский перевод не загрузился",
        Code.SELFTEST_SORTING: "русская сортировка неверна: {got}",
        Code.SELFTEST_ZONE_NAMES: "нет русских названий часовых поясов: {zone!r}",
        Code.SELFTEST_SAMPLE_MISSING: "нет встроенного образца {path}",
        Code.SELFTEST_PDF_SIZE: "страница 200x100 pt при 144 DPI получилась {width}x{height}",
        Code.SELFTEST_NO_RESULT: "движок закончил работу без результата",
        Code.SELFTEST_PAGE_STATUS: "состояние страницы {status}: {why}",
        Code.SELFTEST_NO_TABLE: "в образце счёта не найдено ни одной таблицы",
        Code.SELFTEST_TABLE_SHAPE: "ожидалась таблица {rows}x{cols}, а получено {shapes}",
        Code.SELFTEST_SPAN_NONE: "ячейка «Grand total» должна занимать {colspan} {colspan:plural:столбец|столбца|столбцов}, а её нет",
        Code.SELFTEST_SPAN_WRONG: "ячейка «Grand total» должна занимать {colspan} {colspan:plural:столбец|столбца|столбцов}, а занимает {got} в ({row}, {col})",
        Code.SELFTEST_TABLE_LACKS: "в таблице нет {missing}; в ней: {text}",
        Code.SELFTEST_XLSX_MERGE: "объединённая ячейка «Grand total» не A5:C5 (объединены: {merged})",
        Code.SELFTEST_XLSX_CELLS: "на листе нет ячеек таблицы (прочитано {values})",
        Code.SELFTEST_HTML_RAW: "экспорт в HTML показывает Markdown как есть (нет markdown-it-py?)",
        Code.SELFTEST_HTML_NO_MATHML: "в экспорте в HTML нет MathML (нет latex2mathml или его символов?)",
        Code.SELFTEST_PDF_NO_LAYER: "в PDF нет текстового слоя",
        Code.SELFTEST_DOCX_TABLES: "в файле Word таблиц {got}, а не {wanted}",
    }
)

# Контейнер модели словами: models status/start, doctor (commands/)
TEMPLATES.update(
    {
        Code.MODELS_STATE_ABSENT: "нет контейнера",
        Code.MODELS_STATE_PULLING: "скачивание",
        Code.MODELS_STATE_STARTING: "запуск",
        Code.MODELS_STATE_READY: "готов",
        Code.MODELS_STATE_STOPPING: "остановка",
        Code.MODELS_STATE_STOPPED: "остановлен",
        Code.MODELS_STATE_FAILED: "сбой",
        Code.MODELS_STATE_WITH_STAGE: "{state} ({stage})",
        Code.MODELS_PROGRESS_STAGE: "{state}: {stage}",
        Code.MODELS_PULL_PROGRESS: "скачивание образа: {percent}% ({done_gb:.2f} из {total_gb:.2f} ГБ)",
        Code.MODELS_LINE_STATE: "Состояние: {state}",
        Code.MODELS_LINE_CONTAINER_OURS: "Контейнер: {name} (запущен Dots Desktop)",
        Code.MODELS_LINE_CONTAINER_BY_HAND: "Контейнер: {name} (запущен вручную)",
        Code.MODELS_LINE_MODEL: "Модель: {model} (профиль {profile})",
        Code.MODELS_LINE_ENDPOINT: "Адрес API: {endpoint}",
        Code.MODELS_LINE_API_KEY: "Ключ API: {key}",
        Code.MODELS_LINE_MAX_LEN: "Наибольшая длина контекста: {tokens} {tokens:plural:токен|токена|токенов}",
        Code.MODELS_LINE_PROBLEM: "Проблема: {why}",
        Code.MODELS_LINE_NOTE: "Примечание: {note}",
        Code.DOC_MANAGED_ANSWERS: "Сервер модели отвечает по адресу {endpoint} ({key}).",
        Code.DOC_MANAGED_ANSWERS_CONTEXT: "Сервер модели отвечает по адресу {endpoint} ({key}); длина контекста {context} {context:plural:токен|токена|токенов}.",
        Code.DOC_MANAGED_NOT_ANSWERING: "Сервер модели по адресу {endpoint} пока не отвечает ({detail}).",
        Code.FIX_MANAGED_NOT_ANSWERING: "Возможно, модель ещё загружается: этап покажет dots-desktop models status, журнал — dots-desktop models logs.",
    }
)
