# Строки интерфейса Tern, русский. Ими пользуются оба клиента.

app-name = Tern

## Соединение

connection-offline = Нет сети
connection-connecting = Подключение…
connection-syncing = Синхронизация…
connection-online = В сети
last-synced = Синхронизировано { $time }
connection-problem-certificate = Сертификат сервера не вызывает доверия: { $detail }
connection-problem-network = Не удаётся связаться с сервером: { $detail }

## Вход

login-title = Вход в Tern
login-field = Имя пользователя или почта
password-field = Пароль
login-button = Войти
register-button = Создать аккаунт
logout-button = Выйти
session-ended = Вы вышли из аккаунта: { $reason }

## Комнаты и лента

rooms-title = Комнаты
unread-count = { $count ->
    [one] { $count } непрочитанное сообщение
    [few] { $count } непрочитанных сообщения
   *[many] { $count } непрочитанных сообщений
}
mention-count = { $count ->
    [one] { $count } упоминание
    [few] { $count } упоминания
   *[many] { $count } упоминаний
}
message-deleted = Сообщение удалено
message-edited = (изменено)
reply-to = Ответ для { $name }
typing-one = { $name } печатает…
typing-many = Печатают { $count } человек…
load-older = Загрузить более ранние сообщения
composer-placeholder = Сообщение в { $room }

## Исходящие

outbox-pending = Ожидает отправки
outbox-sending = Отправляется…
outbox-retrying = Не отправлено; повтор через { $seconds } с
outbox-failed = Не отправлено: { $reason }
outbox-retry = Повторить
outbox-discard = Удалить

## Поиск

search-placeholder = Поиск по сообщениям
search-no-results = По запросу «{ $query }» ничего не найдено
search-results = { $count ->
    [one] { $count } результат
    [few] { $count } результата
   *[many] { $count } результатов
}

## Терминальный клиент (tern)

tui-loading = Загрузка…
tui-too-small = Сделайте терминал не меньше 60×15
tui-no-room = Выберите комнату слева
tui-rooms-workspace = Пространство
tui-rooms-direct = Личные сообщения
tui-rooms-empty = Комнат пока нет: :join ИМЯ
tui-rooms-filter = Комнаты: { $text }
tui-timeline-empty = Сообщений пока нет
tui-new-messages = Новые сообщения
tui-attachments = { $count ->
    [one] { $count } вложение
    [few] { $count } вложения
   *[many] { $count } вложений
}
tui-echo-retrying = Ещё не отправлено; повторим
tui-offline-banner = Нет связи: показано то, что хранится здесь; отправленное ждёт в очереди
tui-composer-reply = Ответ { $name } (Esc — отмена)
tui-composer-edit = Правка (Esc — отмена)
tui-status-queued = в очереди: { $count }
tui-status-failed = не отправлено: { $count } (:retry, :discard)
tui-status-help = ? справка
tui-login-server = Сервер
tui-login-email = Почта
tui-login-hint = Enter: далее / войти · Tab: следующее поле · Ctrl-R: новая учётная запись · Esc: выход
tui-register-title = Новая учётная запись Tern
tui-login-busy = Входим…
tui-login-missing = Заполните сервер, имя и пароль
tui-search-room-title = Поиск в { $room }
tui-search-all-title = Поиск везде
tui-search-hint = Enter: искать или открыть · ↑↓: выбор · /: изменить · Esc: закрыть
tui-confirm-title = Удаление
tui-confirm-delete = Удалить это сообщение? y / n
tui-cmd-react-usage = Выберите сообщение, затем :react ЭМОДЗИ
tui-cmd-dm-unknown = Никого с таким именем в прочитанных комнатах: :dm ИМЯ
tui-cmd-theme-usage = Пишите :theme light или :theme dark
tui-cmd-lang-usage = Пишите :lang en или :lang ru
tui-cmd-unknown = Неизвестная команда: { $command }
tui-retried = Снова в очереди: { $count }
tui-discarded = Отброшено: { $count }
tui-help-title = Клавиши
tui-help-composer = Ввод: Enter отправляет · Alt-Enter или Ctrl-J — новая строка · Up (пусто) — правка последнего сообщения · Ctrl-P / Ctrl-N — история · Tab дополняет @имя · Esc — назад
tui-help-rooms = Список комнат: печатайте, чтобы отфильтровать · Esc очищает · Enter открывает · колесо мыши листает, щелчок открывает
tui-help-commands = Команды: :join ИМЯ · :leave [КОМНАТА] · :react ЭМОДЗИ · :search ТЕКСТ · :create ИМЯ [channel|group] · :dm ИМЯ · :retry · :discard · :read · :theme light|dark · :lang en|ru · :logout · :quit
tui-help-close = Любая клавиша закрывает справку
tui-key-quit = Выход
tui-key-help = Эта справка
tui-key-command = Командная строка
tui-key-search = Поиск в комнате
tui-key-focus-next = Следующая панель
tui-key-focus-prev = Предыдущая панель
tui-key-focus-rooms = Список комнат
tui-key-up = Вверх
tui-key-down = Вниз
tui-key-top = В начало (подгружает)
tui-key-bottom = К новым
tui-key-page-up = Страница вверх
tui-key-page-down = Страница вниз
tui-key-open = Открыть
tui-key-compose = Писать
tui-key-reply = Ответить
tui-key-edit = Править
tui-key-delete = Удалить
tui-key-react = Реакция
tui-key-mark-read = Прочитано
tui-key-next-room = Следующая комната
tui-key-prev-room = Предыдущая комната

## Терминальный клиент (tern): файлы, комнаты и люди

tui-key-open-file = Открыть вложение
tui-key-save-file = Сохранить вложение
tui-key-mute = Заглушить комнату или вернуть звук
tui-key-members = Участники
tui-key-directory = Каталог комнат
tui-help-files = Файлы и комнаты: :upload ПУТЬ · :open · :save [ПУТЬ] · :mute [КОМНАТА] · :unmute [КОМНАТА] · :notify all|mentions|none · :invite ИМЯ · :members · :directory · Tab дополняет команды и имена
tui-cmd-upload-usage = Используйте :upload ПУТЬ
tui-cmd-no-file = Сначала выберите сообщение с вложением
tui-cmd-notify-usage = Используйте :notify all, :notify mentions или :notify none
tui-cmd-invite-usage = Используйте :invite ИМЯ
tui-notify-set = Уведомления в { $room }: { $level ->
    [all] каждое сообщение
    [none] никаких
   *[mentions] упоминания и личные сообщения
}
tui-muted = Звук в { $room } выключен
tui-unmuted = Звук в { $room } снова включён
tui-file-opened = Открыт { $path }
tui-no-opener = Не установлена программа для открытия файлов ({ $opener }); файл лежит в { $path } (:save скопирует его)
tui-file-saved = { $name } сохранён в { $path }
tui-file-unknown = файл (сведения ещё не получены)
tui-file-uploading = загружается
tui-file-cached = доступен офлайн
tui-upload-done = загружено
tui-download-done = скачано
tui-thread-replies = { $count ->
    [one] { $count } ответ в ветке
    [few] { $count } ответа в ветке
   *[other] { $count } ответов в ветке
}
tui-invite-unknown = В ваших пространствах нет никого по имени { $user }
tui-invited = { $user } приглашён(а)
tui-joined = Вы вошли в комнату
tui-directory-unknown = В каталоге нет комнаты { $room }
tui-members-title = Участники { $room } ({ $count })
tui-members-empty = Участники здесь пока неизвестны
tui-members-hint = Enter: личное сообщение · ↑↓: выбор · Esc: закрыть
tui-member-invited = приглашён(а)
tui-member-you = вы
tui-role-owner = владелец
tui-role-moderator = модератор
tui-directory-title = Каталог комнат
tui-directory-empty = Нет комнат
tui-directory-hint = Enter: войти или открыть · ↑↓: выбор · Esc: закрыть
tui-directory-members = { $count ->
    [one] { $count } участник
    [few] { $count } участника
   *[other] { $count } участников
}

## Терминальный клиент (tern): команды без интерфейса

cli-cannot-open-profile = не удаётся открыть профиль { $profile }: { $error }
cli-signed-in = вы вошли как { $user } на { $server }
cli-signed-out = вы вышли; локальные данные профиля { $profile } стёрты
cli-offline-rooms = нет связи: показаны комнаты, сохранённые здесь
cli-offline-messages = нет связи: показаны сообщения, сохранённые здесь
cli-unread = непрочитанных: { $count }
cli-mentions = упоминаний: { $count }
cli-muted = без звука
cli-cannot-read-stdin = не удаётся прочитать stdin: { $error }
cli-empty-text = нечего отправлять: текст пуст
cli-not-a-file = { $path } не является файлом
cli-sent = отправлено в { $room }
cli-queued = в очереди для { $room }: сервер сейчас недоступен; `tern sync` или следующий запуск tern доставит сообщение
cli-not-sent = не отправлено в { $room }: { $reason }
cli-cannot-reach = сервер { $server } недоступен: в очереди действий: { $count }
cli-synced = синхронизировано; очередь пуста
cli-failed-for-good = не удалось выполнить действий: { $count }; повторите или отмените их в tern
cli-timed-out = время вышло, в очереди действий: { $count }
cli-state-signed-out = вход не выполнен
cli-status-connection = связь: { $state } ({ $server })
cli-status-last-sync = синхронизация: { $time }
cli-status-queued = в очереди: { $count }
cli-status-failed = с ошибкой: { $count }
cli-never = никогда
cli-not-signed-in = вход не выполнен: сначала запустите `tern login --username ИМЯ`
cli-deleted = удалено
cli-reply = ответ { $name }
cli-failed = ошибка
cli-queued-mark = в очереди
cli-cannot-read-password = не удаётся прочитать пароль: { $error }
cli-empty-password = пустой пароль в stdin
cli-no-room-id = здесь нет комнаты с id { $id }
cli-no-room-named = здесь нет комнаты «{ $room }»
cli-room-ambiguous = имя комнаты «{ $room }» неоднозначно: укажите одно из { $names }
tui-react-title = Реакция
tui-react-hint = 1–8 или ←→ и Enter · : любой эмодзи · Esc закрывает
tui-search-bad-filter = { $filter }: нет такого человека, комнаты или даты (фильтры: from:ИМЯ in:КОМНАТА has:file no:file after:ГГГГ-ММ-ДД before:ГГГГ-ММ-ДД)
tui-newer-below = Ниже есть новые сообщения (End — к последним)

config-unreadable = Не удаётся прочитать файл настроек { $path } ({ $error }); действуют настройки по умолчанию
config-invalid = { $line ->
        [0] Ошибка в файле настроек { $path }: { $what }; действуют настройки по умолчанию
       *[other] Ошибка в файле настроек { $path }, строка { $line }: { $what }; действуют настройки по умолчанию
    }
config-fault-value = недопустимое значение «{ $value }»{ $allowed ->
        [none] {""}
       *[other] {" "}(можно: { $allowed })
    }
config-fault-key = неизвестный параметр «{ $key }»{ $allowed ->
        [none] {""}
       *[other] {" "}(известны: { $allowed })
    }
config-fault-missing = не хватает параметра «{ $key }»
config-fault-type = значение не того вида (текст, число или список)
config-fault-syntax = ошибка синтаксиса TOML

## Терминальный клиент (tern): командная строка (--help, использование, ошибки разбора)

cli-about = Tern в терминале. Без команды — полноэкранный клиент.
cli-usage-heading = Использование:
cli-usage-options = ПАРАМЕТРЫ
cli-usage-command = КОМАНДА
cli-heading-options = Параметры
cli-heading-arguments = Аргументы
cli-heading-commands = Команды
cli-cmd-login = Войти (пароль из stdin, если это не терминал, иначе — запрос)
cli-cmd-register = Создать учётную запись и войти (пароль — как для входа)
cli-cmd-logout = Выйти и стереть локальные данные этого профиля
cli-cmd-rooms = Список комнат с числом непрочитанных и упоминаний
cli-cmd-read = Показать последние сообщения комнаты
cli-cmd-send = Отправить сообщение (текст из stdin, если не указан); без связи — в очередь
cli-cmd-upload = Отправить файл (с подписью, если нужно); без связи — в очередь
cli-cmd-search = Искать по всем сообщениям, хранящимся здесь
cli-cmd-tail = Показывать новые сообщения комнаты по мере прихода
cli-cmd-sync = Синхронизироваться один раз и доставить очередь; выйти, когда она пуста
cli-cmd-status = Связь, последняя синхронизация и действия в очереди
cli-cmd-help = Показать эту справку или справку по команде
cli-arg-help = Показать справку
cli-arg-version = Показать версию
cli-arg-server = Адрес сервера (по умолчанию — тот, где выполнен вход в профиль; переменная TERN_SERVER)
cli-arg-profile = Имя профиля: одна учётная запись и её локальные данные (по умолчанию default; переменная TERN_PROFILE)
cli-arg-data-dir = Папка с профилями (по умолчанию $XDG_DATA_HOME/tern; переменная TERN_DATA_DIR)
cli-arg-config = Файл настроек (по умолчанию $XDG_CONFIG_HOME/tern/config.toml; переменная TERN_CONFIG)
cli-arg-locale = Язык сообщений: en или ru (по умолчанию — locale из настроек, иначе язык системы; переменная TERN_LOCALE)
cli-arg-json = Вывод для программ (JSON; для команд без интерфейса)
cli-arg-secrets = Где хранить токены входа: auto (связка ключей ОС, если работает, иначе файл), file (всегда файл 0600) или keyring (по умолчанию auto; переменная TERN_SECRETS)
cli-arg-ca-cert = Сертификат УЦ (PEM), которому доверять помимо системных, — для своего сервера на https (переменная TERN_CA_CERT)
cli-arg-login-username = Имя пользователя или эл. почта
cli-arg-register-username = Имя пользователя
cli-arg-register-email = Адрес эл. почты
cli-arg-register-display-name = Имя, которое видят другие (по умолчанию — имя пользователя)
cli-arg-read-room = id комнаты, имя или пространство/имя
cli-arg-read-limit = Сколько сообщений (по умолчанию 20)
cli-arg-send-room = id комнаты, имя или пространство/имя
cli-arg-send-text = Сообщение (по умолчанию читается из stdin)
cli-arg-send-timeout = Сколько секунд ждать доставки, прежде чем оставить в очереди (по умолчанию 5)
cli-arg-upload-room = id комнаты, имя или пространство/имя
cli-arg-upload-path = Файл для отправки
cli-arg-upload-caption = Подпись к файлу
cli-arg-upload-timeout = Сколько секунд ждать доставки, прежде чем оставить в очереди (по умолчанию 60)
cli-arg-search-query = Что искать
cli-arg-search-room = Только в этой комнате
cli-arg-search-from = Только сообщения этого человека (имя пользователя или имя)
cli-arg-search-has-file = Только сообщения с файлом
cli-arg-search-no-file = Только сообщения без файла
cli-arg-search-after = Только сообщения с этого дня (ГГГГ-ММ-ДД)
cli-arg-search-before = Только сообщения до этого дня (ГГГГ-ММ-ДД)
cli-arg-search-limit = Не больше стольких результатов (по умолчанию 50)
cli-arg-tail-room = id комнаты, имя или пространство/имя
cli-arg-sync-timeout = Сдаться через столько секунд (по умолчанию 30)
cli-arg-help-subcommand = Команда, которую объяснить
cli-value-server = АДРЕС
cli-value-profile = ИМЯ
cli-value-data-dir = ПАПКА
cli-value-config = ФАЙЛ
cli-value-locale = ЯЗЫК
cli-value-secrets = ГДЕ
cli-value-ca-cert = ФАЙЛ
cli-value-username = ИМЯ
cli-value-email = ПОЧТА
cli-value-display-name = ИМЯ
cli-value-room = КОМНАТА
cli-value-limit = N
cli-value-text = ТЕКСТ
cli-value-timeout = СЕКУНДЫ
cli-value-path = ПУТЬ
cli-value-caption = ТЕКСТ
cli-value-query = ЗАПРОС
cli-value-from = КТО
cli-value-after = ДЕНЬ
cli-value-before = ДЕНЬ
cli-value-subcommand = КОМАНДА
cli-error-unknown-command = нет команды «{ $command }»
cli-error-unknown-argument = неожиданный аргумент «{ $arg }»
cli-error-invalid-value = «{ $value }» — недопустимое значение для { $arg }
cli-error-invalid-choice = «{ $value }» — недопустимое значение для { $arg }; возможны: { $choices }
cli-error-missing-argument = не хватает: { $args }
cli-error-missing-command = нужна команда
cli-error-conflict = { $arg } нельзя указывать вместе с { $other }
cli-error-values = неверное число значений для { $arg }
cli-error-other = не удаётся разобрать командную строку
cli-error-did-you-mean = может быть, «{ $suggestion }»?
cli-error-more = Подробнее: { $help }

## Ошибки (Error::localized из client-core)

core-error-network = Нет связи с сервером
core-error-certificate = Сертификату сервера нет доверия
core-error-server-invalid-credentials = Неверное имя пользователя или пароль
core-error-server-unauthorized = Сервер не принял вход; войдите снова
core-error-server-session-revoked = Этот сеанс отозван; войдите снова
core-error-server-user-deactivated = Эта учётная запись отключена
core-error-server-forbidden = Вам это не разрешено
core-error-server-read-only = В этой комнате вы можете только читать
core-error-server-archived = Эта комната в архиве
core-error-server-not-found = На сервере этого нет, или вам это не видно
core-error-server-username-taken = Это имя пользователя занято
core-error-server-email-taken = Этот адрес почты уже используется
core-error-server-slug-taken = Этот адрес пространства занят
core-error-server-last-owner = Последний владелец не может уйти или сложить полномочия
core-error-server-invite-expired = Срок приглашения истёк
core-error-server-rate-limited = Слишком много запросов; попробуйте чуть позже
core-error-server-too-large = Это слишком велико для сервера
core-error-server-media-type = Сервер не принимает файлы этого типа
core-error-server-invalid-input = Сервер это не принял: { $detail }
core-error-server-conflict = Это противоречит изменению, сделанному тем временем; попробуйте снова
core-error-server-unavailable = На сервере сбой ({ $status }); попробуйте позже
core-error-server-other = Сервер ответил ошибкой ({ $status } { $code })
core-error-session-ended = Вы вышли из учётной записи; войдите снова
core-error-not-signed-in = Вход не выполнен
core-error-store = Сбой локальной базы данных (подробности в журнале)
core-error-io = Не удаётся использовать файл { $path }
core-error-protocol = Не удаётся прочитать ответ сервера
core-error-not-found = Здесь этого нет (возможно, удалено)
core-error-secrets = Не удаётся сохранить или прочитать токены входа (подробности в журнале)
core-error-source-gone = Файла для отправки больше нет: { $path }
core-error-shutdown = Tern завершает работу

## Почему ввод не принят (Error::InvalidInput из client-core, по одному на проверку)

core-invalid-file-cache-too-small = Кэш файлов должен вмещать не меньше { $min } байт, а не { $bytes }
core-invalid-profile-name = Имя профиля «{ $name }» не подходит: используйте от 1 до 64 знаков из A-Z a-z 0-9 _ . -
core-invalid-message-body = В сообщении должно быть от 1 до { $max } { $max ->
        [one] символа
       *[other] символов
    }, не только пробелы
core-invalid-caption-too-long = В подписи может быть не больше { $max } { $max ->
        [one] символа
       *[other] символов
    }
core-invalid-not-a-file = { $path } — не файл
core-invalid-path-not-utf8 = Путь { $path } не в кодировке UTF-8, его нельзя сохранить
core-invalid-not-own-message = Изменять можно только свои сообщения
core-invalid-reaction = Реакция должна занимать от 1 до { $max } { $max ->
        [one] байта
       *[other] байт
    }
core-invalid-direct-room = Личную переписку открывают с человеком, а не создают как комнату
core-invalid-room-name = В названии комнаты должно быть от 1 до { $max } { $max ->
        [one] символа
       *[other] символов
    }
core-invalid-outbox-item-sending = Это как раз отправляется; попробуйте чуть позже
core-invalid-event-in-other-room = Событие { $event } относится к другой комнате
core-invalid-event-seq-gap = Импортируемые события должны идти подряд, без пропусков
core-invalid-display-name = В отображаемом имени должно быть от 1 до { $max } { $max ->
        [one] символа
       *[other] символов
    }, без управляющих символов
core-invalid-avatar-missing = Файла { $path } для аватара нет
core-invalid-avatar-size = Аватар должен быть файлом изображения от 1 до { $max } { $max ->
        [one] байта
       *[other] байт
    }: { $path }
core-invalid-avatar-not-image = { $path } — не изображение PNG, JPEG, GIF или WebP
core-invalid-revoke-own-session = Это сеанс этого устройства: просто выйдите из учётной записи
core-invalid-user-search-too-long = В поиске людей может быть не больше { $max } { $max ->
        [one] символа
       *[other] символов
    }
core-invalid-user-search-limit = Поиск людей показывает от 1 до 100 человек, а не { $limit }
core-invalid-target-never-sent = Сообщение, к которому это относится, так и не было отправлено
core-invalid-certificate-not-pem = Файл корневого сертификата { $path } — не читаемый файл PEM
core-invalid-certificate-empty = В файле корневого сертификата { $path } нет сертификата
core-invalid-certificate-unreadable = Не удаётся прочитать файл корневого сертификата { $path }

## Терминальный клиент (tern): запуск и ошибки в клавишах

cli-cannot-start = не удаётся запуститься: { $error }
tui-terminal-setup-failed = не удаётся подготовить терминал: { $error }
tui-terminal-error = ошибка терминала: { $error }
tui-panic-report = tern остановлен из-за внутренней ошибки; отчёт в { $path }
tui-keys-unknown-action = Неизвестное действие «{ $action }» в [keys] файла настроек
tui-keys-unknown-key = Неизвестная клавиша «{ $key }» для { $action } в [keys] файла настроек

## Desktop app: the tray icon's menu

tray-show = Показать Tern
tray-quit = Выйти

## Desktop app: its own errors (client-core's are the core-* above)

desktop-error-io = Не удаётся прочитать или записать файл (подробности в журнале)
desktop-invalid-language = Язык может быть системным, английским или русским, но не «{ $language }»
desktop-invalid-cache-size = Файловый кэш может занимать от { $min } до { $max } МБ
desktop-invalid-server-url-scheme = Адрес сервера { $url } должен начинаться с http:// или https://
desktop-invalid-server-url-host = В адресе сервера { $url } должно быть имя узла
desktop-invalid-login-required = Введите имя пользователя или почту и пароль
desktop-invalid-nothing-to-change = Менять нечего
desktop-invalid-avatar-not-chosen = Выберите изображение для аватара
desktop-invalid-pasted-size = Вставленный файл должен занимать от 1 до { $max } { $max ->
        [one] байта
       *[other] байт
    }
desktop-invalid-save-not-chosen = Выберите, куда сохранить файл
