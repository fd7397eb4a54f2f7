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
