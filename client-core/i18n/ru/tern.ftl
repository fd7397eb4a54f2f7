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
