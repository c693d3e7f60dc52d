### Overtime in English: every string the window, the tray and the notifications show.
### The reference catalogue; overtime.ftl in every other language has the same ids and variables.

## app

app-title = Overtime
app-demo = Demo mode — no NVIDIA GPU was found, so the readings below are simulated. Nothing is rented or computed for real.
app-noTray = No system tray was found on this desktop. Closing the window keeps Overtime running in the background; launch it again to bring the window back, or use Quit.
app-configError = The configuration file has a problem; the previous settings stay in force:
app-quit = Quit
app-hostLost = Overtime’s background process has stopped, so nothing here updates any more. Close this window and start Overtime again.
app-waiting = Waiting for the agent…

## nav

nav-dashboard = Dashboard
nav-settings = Settings
nav-history = History

## history

history-title = History
history-range = Range
history-preset-today = Today
history-preset-7d = 7 days
history-preset-30d = 30 days
history-preset-this_month = This month
history-preset-last_month = Last month
history-preset-custom = Custom
history-from = From
history-to = To
history-pickDays = Pick a first and a last day.
history-filter-gpu = GPU
history-filter-provider = Provider
history-filter-mode = Mode
history-filter-all = All
history-loading = Reading the history…
history-simulated = simulated
history-simulatedNote = Demo mode: these figures come from simulated GPUs and providers. No money was earned or spent.
history-gross = Earned
history-estimated = of which estimated: { $amount }
history-electricity = Electricity
history-net = Net
history-energy = Energy
history-co2 = CO₂
history-hours = Hours per mode
history-credits = Volunteer credit
history-none = none
history-chart = Per day in { $currency }: earned, electricity and net
history-chart-currency = Currency
history-chart-empty = No money was booked in this range.
history-sessions = Sessions
history-sessions-empty = No sessions in this range.
history-sessions-when = When
history-sessions-ongoing = ongoing
history-sessions-reason = Why
history-sessions-earnings = Contract pays
history-sessions-earningsHelp = Contract price × time; the provider’s statement is what counts.
history-more = Show more
history-export = Export CSV
history-exporting = Exporting…
history-exported = Saved to { $path } (sessions: { $sessions }, statements: { $earnings }).
history-exportFailed = The export failed:

## theme

theme-auto = System theme
theme-light = Light
theme-dark = Dark

## mode

mode-rental = Rental
mode-volunteer = Volunteer
mode-idle = Idle

## control

control-auto = Auto
control-rent = Rent now
control-volunteer = Volunteer now
control-idle = Idle now
control-pause = Pause…
control-pause-one_hour = for 1 h
control-pause-three_hours = for 3 h
control-pause-until_tomorrow = until tomorrow
control-pause-until_resumed = until I resume

## override

override-until = Manual: { $mode } until { $time }
override-forever = Manual: { $mode } until you resume
override-auto = Automatic

## control

control-thisGpu = This GPU:
control-thisGpu-auto = Auto
control-thisGpu-label = Mode of GPU { $index } only

## gpu

gpu-label = GPU { $index }
gpu-since = since { $time }
gpu-temp = Temperature
gpu-load = Load
gpu-power = Power
gpu-vram = VRAM
gpu-fan = Fan
gpu-clocks = Clocks
gpu-throttle = Slow-down
gpu-throttle-none = none
gpu-limits = soft { $soft } · critical { $critical }
gpu-noReading = No reading yet
gpu-fault = Not answering:
gpu-powerCap = capped at { $w }

## chart

chart-temp = Temperature (°C), last 10 min
chart-loadPower = Load (%) and power (W), last 10 min
chart-temp-hour = Temperature (°C), last hour — highest per 10 s
chart-loadPower-hour = Load (%) and power (W), last hour — average per 10 s
chart-range = Charts
chart-range-10m = 10 min
chart-range-1h = 1 h

## earnings

earnings-title = Earnings
earnings-range-today = Today
earnings-range-7d = 7 days
earnings-range-30d = 30 days
earnings-gross = Gross
earnings-estimated = of which running rental (estimate)
earnings-electricity = Electricity
earnings-net = Net
earnings-energy = Energy
earnings-credits = Volunteer credits
earnings-noCredits = No volunteer credits yet.
earnings-asOf = As of { $time }; refreshed every 5 minutes.
earnings-estimateNote = Gross and net include the running rental at its contract price; the provider’s statement replaces the estimate later.
earnings-simulated = simulated
earnings-simulatedNote = Demo mode: every figure here is simulated. No real money was earned or spent.
earnings-waiting = Reading the figures from the ledger…
earnings-notKept = This agent keeps no earnings ledger, so there are no figures to show.
earnings-notOpened = The earnings ledger could not be opened, so nothing is recorded: { $error } GPU control is not affected. Fix the problem, then restart Overtime.
earnings-notRecording = History is not being recorded right now: { $error } GPU control is not affected, and recording resumes by itself once writing works again (usually: free up disk space on the drive that holds { $path }).
earnings-movedAside = The earnings ledger was damaged and has been moved aside to { $path } (not deleted). A new one was started, so earlier figures are missing here; keep the old file if you need its history.
earnings-dropped = { $count } records were lost because the ledger could not keep up; figures may be slightly low.

## timeline

timeline-title = Past 24 hours and next 24 hours
timeline-now = now
timeline-any = Rental or volunteer
timeline-gap = Not recorded (Overtime was not running)
timeline-planned = Hatched: what the schedule allows. Games, temperature and prices still decide.
timeline-simulated = Demo mode: the recorded modes are simulated.
timeline-notKept = No history is recorded (this agent keeps no earnings ledger), so only the schedule for the next 24 hours is shown.
timeline-unreadable = The history could not be read, so only the schedule for the next 24 hours is shown: { $error }
timeline-list-span = { $mode } from { $start } to { $end }
timeline-list-open = { $mode } since { $start }, still running
timeline-list-plan = The schedule allows { $modes } from { $start } to { $end }
timeline-list-window = (window { $name })
timeline-list-nothing = Nothing recorded in the past 24 hours.
timeline-list-or = { $a } or { $b }

## providers

providers-title = Providers
providers-ok = OK
providers-none = No provider is configured.
providers-simulated = simulated

## api

api-listening = Loopback API on { $address }
api-disabled = The loopback API is turned off in the settings.
api-off = The loopback API is off: { $error }

## settings

settings-title = Settings
settings-file = Saved to { $path }
settings-saved = Saved. The agent uses the new settings now.
settings-save = Save
settings-thermal = Thermal limits
settings-thermal-scope = Applies to
settings-thermal-all = All GPUs
settings-thermal-soft = Soft limit (°C)
settings-thermal-critical = Critical limit (°C)
settings-thermal-hysteresis = Hysteresis (°C)
settings-schedule = Weekly schedule
settings-schedule-help = Pick a mode, then click or drag over hours to paint them. Keyboard: arrow keys move, Space or Enter paints.
settings-schedule-any = Rental or volunteer
settings-games = Games
settings-games-help = One executable name per line (eldenring.exe, cs2). While one runs, its GPU stays idle.
settings-sections = Settings sections
settings-remove = Remove
settings-close = Close
settings-optional = optional
settings-games-pick = Pick a running program…
settings-games-pickHelp = Start the game first, then choose it here.
settings-games-filter = Filter
settings-games-refresh = Refresh
settings-games-loading = Reading the running programs…
settings-games-noneRunning = No other running program found.
settings-games-add = Add to the list
settings-electricity = Electricity
settings-electricity-help = What your power costs, to tell when renting pays. Write prices as on your bill, like 0.32 or 0,32.
settings-electricity-tariff = Tariff
settings-electricity-flat = One price
settings-electricity-tou = Time of use
settings-electricity-price = Price per kWh
settings-electricity-otherPrice = Price per kWh at other times
settings-electricity-periodHelp = Each hour may have one price. A period that ends at or before its start runs past midnight.
settings-electricity-period = Period { $n }
settings-electricity-periodName = Name
settings-electricity-days = Days
settings-electricity-from = From
settings-electricity-to = to
settings-electricity-addPeriod = Add period
settings-electricity-currency = Currency
settings-electricity-exchange = Exchange rate ({ $currency } per { $rental })
settings-electricity-exchangeHelp = Rentals are paid in { $rental }; this compares them with your power price in { $currency }.
settings-electricity-rest = Rest of the PC (W)
settings-electricity-carbon = Grid carbon intensity (g CO₂/kWh)
settings-providers = Providers
settings-providers-restart = Changes to providers and their credentials apply at once. A rental provider whose GPU is in a paid contract keeps its old settings until the contract ends.
settings-providers-volunteer = Volunteer work
settings-providers-rental = Rental
settings-providers-inUse = in use
settings-providers-boinc = BOINC
settings-providers-fah = Folding@home
settings-providers-vast = Vast.ai
settings-providers-hooks = Command hooks
settings-providers-demo = Demo (simulated)
settings-providers-none = Off
settings-providers-demoHelp = The demo providers are simulated: no real work, no real money.
settings-providers-host = Host
settings-providers-port = Port
settings-providers-passwordFile = Path of gui_rpc_auth.cfg
settings-providers-passwordFileHelp = Empty: the usual places, then the stored password.
settings-providers-pause = Pause length (s)
settings-providers-controlCpu = Also pause BOINC’s CPU work
settings-providers-url = Client address
settings-providers-group = Resource group
settings-providers-apiUrl = API address
settings-providers-machine = Machine ID
settings-providers-priceDisk = Storage price (per GB and month)
settings-providers-priceUp = Upload price (per GB)
settings-providers-priceDown = Download price (per GB)
settings-providers-minBid = Lowest bid per GPU-hour
settings-providers-minBidHelp = Empty: your asking price.
settings-providers-minChunk = Fewest GPUs per rental
settings-providers-hookHelp = Commands run without a shell; { "{gpu}" }, { "{uuid}" } and { "{until}" } are filled in. Put arguments with spaces in double quotes.
settings-providers-hook = Hook { $n }
settings-providers-hookName = Name
settings-providers-hookKind = Used for
settings-providers-hookStart = Start command
settings-providers-hookStop = Stop command
settings-providers-hookStatus = Status command (optional)
settings-providers-hookTimeout = Time limit (s)
settings-providers-addHook = Add hook
settings-providers-test = Test connection
settings-providers-testing = Testing…
settings-providers-testOk = Working
settings-providers-testSimulated = Simulated
settings-providers-testFailed = Not working

## credential

credential-vast_api_key = Vast.ai API key
credential-boinc_password = BOINC RPC password
credential-set = set
credential-notSet = not set
credential-placeholder = Paste it here
credential-placeholderSet = Paste a new one to replace it
credential-store = Store
credential-remove = Remove
credential-stored = Stored in the system keyring; Overtime will not show it again.
credential-removed = Removed from the system keyring.
credential-env = Set by the environment variable { $var }, which wins over the keyring.

## settings

settings-notifications = Notifications
settings-notifications-help = Which events show a desktop notification.
settings-notifications-thermal_trip = A GPU got too hot and work stopped
settings-notifications-rental_started = A rental started
settings-notifications-rental_ended = A rental ended
settings-notifications-provider_error = A provider stopped working
settings-notifications-override_expired = A manual mode ran out
settings-startup = Start on login
settings-startup-toggle = Start Overtime in the tray when I log in
settings-startup-unsupported = Not supported on this system yet.
settings-api = Local API
settings-api-applies = Changes apply as soon as you save them.
settings-api-enabled = Serve the local API on 127.0.0.1
settings-api-port = Port
settings-api-metrics = Serve /metrics for Prometheus

## day

day-0 = Mon
day-1 = Tue
day-2 = Wed
day-3 = Thu
day-4 = Fri
day-5 = Sat
day-6 = Sun

## error

error-generic = That did not work:

## tray: the menu, the tooltip and the override line of the tray icon

tray-entry-auto = Auto
tray-entry-rent = Rent now
tray-entry-volunteer = Volunteer now
tray-entry-idle = Idle now
tray-entry-pauseOneHour = Pause for 1 h
tray-entry-pauseThreeHours = Pause for 3 h
tray-entry-pauseUntilTomorrow = Pause until tomorrow
tray-entry-pauseUntilResumed = Pause until I resume
tray-entry-openDashboard = Open dashboard
tray-entry-quit = Quit
# $modes: the modes of all GPUs, "Volunteer / Idle"
tray-tooltip = Overtime — { $modes }
tray-noGpu = no GPU
tray-demo = demo
# $amounts: today's net per currency, "€1.25 + $0.40"
tray-netToday = net today { $amounts }
tray-simulated = simulated
tray-automatic = Automatic
tray-paused = Paused
tray-modeNow = { $mode } now
# $what: "Paused" or tray-modeNow
tray-untilResumed = { $what } — until you resume
# $left: tray-underAMinute, tray-minutes or tray-hoursMinutes
tray-left = { $what } — { $left } left
tray-underAMinute = under a minute
tray-minutes = { $minutes } min
# $minutes has two digits: "2 h 05 min"
tray-hoursMinutes = { $hours } h { $minutes } min

## notify: desktop notifications

notify-thermalTrip-summary = GPU protection: work stopped
# $sentence: why the GPU stopped
notify-thermalTrip-body = { $gpu }: { $sentence }
notify-rentalStarted-summary = Rental started
notify-rentalStarted-body = { $gpu } is now rented.
notify-rentalEnded-summary = Rental ended
notify-rentalEnded-body = The rental contract on { $gpu } has ended.
notify-providerError-summary = A provider reports an error
notify-providerError-body = { $provider }: { $error }
notify-overrideExpired-summary = Back to automatic
# $what: notify-overrideExpired-pause or notify-overrideExpired-mode
notify-overrideExpired-body = { $what } ran out; the schedule and rules decide again.
notify-overrideExpired-pause = The pause
notify-overrideExpired-mode = “{ $mode } now”

## month: short month names in times such as "Wed 25 Nov 18:00"

month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
# A moment in a reason: $weekday from day-N, $month from month-N, $time "18:00"
when-dayTime = { $weekday } { $day } { $month } { $time }

## reason: why a GPU is in its mode, one sentence after the mode word

# $mode: mode-rental etc.; $sentence: one of the reason-* sentences
reason-withMode = { $mode } — { $sentence }
reason-mode-rental = rental
reason-mode-volunteer = volunteer
reason-mode-idle = idle
reason-starting = starting up
reason-stopped = Overtime stopped; work handed back
reason-criticalTemperature = { $temp } reached the critical limit of { $limit }, all work stopped
reason-criticalTemperatureRentalCapped = { $temp } reached the critical limit of { $limit }; the rental keeps running at a { $power } power limit and the GPU is unlisted
# $fault: the sensor's own error text
reason-telemetryStale-fault = no trustworthy sensor reading ({ $fault })
reason-telemetryStale-age = no sensor reading for { $seconds } s
reason-telemetryStale-none = no sensor reading yet
reason-telemetryStaleRentalKept = sensors not answering; the rental runs until { $until } and is not broken, the GPU is unlisted
reason-telemetryStaleRentalKept-fault = sensors not answering ({ $fault }); the rental runs until { $until } and is not broken, the GPU is unlisted
reason-override-until = set by you until { $until }
reason-override-resume = set by you until you resume
# $mode: reason-mode-*; $why: one of the unavailable-* texts
reason-overrideUnavailable = you asked for { $mode }, but { $why }
reason-overrideRentalKept = you asked for { $mode }; the paid rental runs until { $until } and is not broken
reason-gameRunning = game running: { $game }
reason-gameRentalKept = game running: { $game }; the paid rental runs until { $until } and is not broken
reason-gameExited = { $game } exited, resuming at { $at }
reason-gameRunning-fullScreen = full-screen program in front: { $game }
reason-gameRunning-steam = Steam game running: { $game }
reason-gameRentalKept-fullScreen = full-screen program in front: { $game }; the paid rental runs until { $until } and is not broken
reason-gameRentalKept-steam = Steam game running: { $game }; the paid rental runs until { $until } and is not broken
reason-gameExited-fullScreen = { $game } left full screen, resuming at { $at }
reason-gameExited-steam = Steam game { $game } ended, resuming at { $at }
reason-userActive = you are at the computer (last input { $seconds } s ago)
reason-thermalPowerCapped = { $temp } over the { $limit } limit, power limited to { $power }
reason-thermalCooling-at = cooling after going over the { $limit } limit; resumes at { $at } if it stays under { $resume }
reason-thermalCooling-at-now = { $temp }, cooling after going over the { $limit } limit; resumes at { $at } if it stays under { $resume }
reason-thermalCooling-below = over the { $limit } limit, cooling; resumes once under { $resume }
reason-thermalCooling-below-now = { $temp }, over the { $limit } limit, cooling; resumes once under { $resume }
reason-rented = rented until { $until }
reason-listed = listed for rent until { $until }
reason-listed-offer = listed for rent until { $until } at { $price }/h; electricity { $cost }
reason-listed-noCost = listed for rent until { $until } at { $price }/h; electricity cost unknown (no power figure for this GPU)
reason-listed-noRate = listed for rent until { $until }; electricity { $cost }, not compared (no exchange rate to the rental currency)
# Added after a reason-listed* sentence
reason-backfill = { $listed }; volunteering until a renter comes
reason-scheduleVolunteer-windowUntil = schedule window “{ $window }” until { $until }
reason-scheduleVolunteer-window = schedule window “{ $window }”
reason-scheduleVolunteer-until = outside schedule windows until { $until }
reason-scheduleVolunteer = allowed by the schedule
reason-scheduleIdle-window = schedule window “{ $window }” keeps the GPU idle
reason-scheduleIdle = the schedule allows no work now
# $why: reason-scheduleIdle or reason-scheduleIdle-window
reason-scheduleIdle-next = { $why }; work may start at { $at }
reason-notProfitable = renting at { $price }/h does not beat electricity by { $margin } %: { $cost }
# $mode: mode-rental etc. (capitalised)
reason-noProvider = { $mode } allowed, but { $why }
reason-dwell = staying put until { $until } before switching to { $mode } (minimum time in a mode)
# What running the GPU costs per hour; $source: one of cost-source-*
cost-perHour = { $price }/h at { $watts } W ({ $source })
cost-perHour-rest = { $price }/h at { $watts } W ({ $source }; rest of the PC { $rest } W)
cost-source-recentAverage = GPU { $watts } W on average while working recently
cost-source-live = GPU { $watts } W live, no working average recorded yet
cost-source-powerLimit = GPU { $watts } W power limit, no working draw measured yet
unavailable-rental-notSetUp = no rental provider is set up
unavailable-volunteer-notSetUp = no volunteer client is set up
unavailable-notReported = { $provider } has not reported yet

## config: what is wrong with a setting and what to do, next to the field or in `overtime doctor`
## Config keys, TOML and example values stay as they are written in the file.

# $value, $min, $max: numbers; $unit: " °C", " s", " %", … or empty
config-outOfRange = { $value } is out of range; use a value from { $min } to { $max }{ $unit }
config-price-negative = { $value } is negative; a price must be 0 or more
config-timezone-unknown = "{ $zone }" is not a known IANA time zone; use a name such as "Europe/Berlin" or "America/New_York", or leave it empty for the system's zone
config-days-none = no days listed; name at least one, e.g. ["mon-fri"] or ["daily"]
config-days-notARange = "{ $entry }" is not a day range; use mon…sun or monday…sunday, a range such as mon-fri or fri-mon, or daily, weekdays or weekends
config-days-notADay = "{ $entry }" is not a day; use mon…sun or monday…sunday, a range such as mon-fri or fri-mon, or daily, weekdays or weekends
config-days-empty = an empty day name; use mon…sun or monday…sunday, a range such as mon-fri or fri-mon, or daily, weekdays or weekends
config-time-notAStart = "{ $text }" is not a time; use HH:MM between 00:00 and 23:59
config-time-notAnEnd = "{ $text }" is not a time; use HH:MM between 00:00 and 24:00
config-time-midnightStart = "{ $text }" cannot be a start; a window that starts at midnight starts at 00:00
config-window-empty = the window starts and ends at { $time }, so it is empty; to cover a whole day use start = "00:00" and end = "24:00"
# $day: 0 = Monday … 6 = Sunday
config-window-overlap = { $later } overlaps { $earlier } on { $day ->
        [0] Monday
        [1] Tuesday
        [2] Wednesday
        [3] Thursday
        [4] Friday
        [5] Saturday
       *[6] Sunday
    } at { $time }; windows may not overlap anywhere in the week (a window that crosses midnight also occupies the next morning): move or shorten one, or remove a day
config-thermal-gpuKey = "{ $key }" is neither a GPU UUID nor an index; use the UUID that `overtime status` shows ("GPU-…") or an index from 0 to { $max } such as "0"
config-thermal-criticalNotAboveSoft = critical_limit_c ({ $critical } °C) must be above soft_limit_c ({ $soft } °C); raise the critical limit or lower the soft one
config-thermal-criticalNotAboveSoft-merged = critical_limit_c ({ $critical } °C) must be above soft_limit_c ({ $soft } °C) (after applying [thermal] defaults); raise the critical limit or lower the soft one
config-thermal-hysteresisNotBelowSoft = hysteresis_c ({ $hysteresis } °C) must be below soft_limit_c ({ $soft } °C), or work would never resume
config-thermal-hysteresisNotBelowSoft-merged = hysteresis_c ({ $hysteresis } °C) must be below soft_limit_c ({ $soft } °C) (after applying [thermal] defaults), or work would never resume
config-activity-emptyName = an empty name; write an executable name or a glob such as "eldenring.exe" or "steam_app_*", or remove the entry
# $detail: the glob parser's own words
config-activity-badGlob = "{ $pattern }" is not a valid glob ({ $detail }); use * for any characters, ? for one, and close every [ and {"{"}
config-rental-badExchangeRate = { $rate } is not an exchange rate; give how many { $power } one { $rental } is worth, a number above 0 such as "0.92"
config-rental-currencyMismatch = the rental price is in { $rental } but electricity is priced in { $power }; set rental.exchange_rate to how many { $power } one { $rental } is worth (e.g. "0.92"), or use the same currency for both
config-electricity-carbon = { $value } is out of range; use grams of CO2 per kWh between 0 and 2000
config-period-noDays = no days given; list days such as ["mon-fri"]
config-period-startHour = { $hour } is not an hour; use 0 to 23
config-period-endHour = { $hour } is not an end hour; use 1 to 24
config-period-empty = equals start_hour; a period needs at least one hour
# $other: the other period's number; $day: 0 = Monday … 6 = Sunday
config-period-overlap = overlaps electricity.period[{ $other }] on { $day ->
        [0] Monday
        [1] Tuesday
        [2] Wednesday
        [3] Thursday
        [4] Friday
        [5] Saturday
       *[6] Sunday
    } at { $time }; each hour may have one price
# $kind: rental or volunteer
config-providers-noHook = command hooks are chosen but no [[providers.hooks]] has kind = "{ $kind }"; add one, or choose another provider
config-boinc-host = "{ $host }" is not a host name; use the address the BOINC client listens on, normally "127.0.0.1"
config-fah-url = "{ $url }" is not a WebSocket address; the Folding@home client's is normally "ws://127.0.0.1:7396/api/websocket"
config-vast-url = "{ $url }" is not a web address; Vast.ai's API is "https://console.vast.ai/api/v0"
config-vast-price = "{ $text }" is not a price; write a decimal number such as "0.10"
config-vast-price-optional = "{ $text }" is not a price; write a decimal number such as "0.10", or leave it empty
config-vast-minChunk = 0 GPUs cannot be rented; use 1 or more
config-hook-name = a hook needs a name; it is shown in reasons and the log
# $key: start or stop
config-hook-noCommand = no command given; write the program and its arguments as a list such as ["my-market-cli", "{ $key }", "--gpu", "{"{"}gpu{"}"}"]
config-hook-noStatusProgram = the status command has no program; name one, or leave status empty
# $detail: the TOML reader's own words, which are English
config-toml-value = { $detail }
config-toml-notToml = this is not valid TOML: { $detail }; see examples/overtime.toml for the format
config-field-emptyWhole = this field is empty; enter a whole number
config-field-tooLarge = { $text } is too large for this field
config-field-notWhole = "{ $text }" is not a whole number; write digits only, such as 300
config-field-notANumber = "{ $text }" is not a number; write digits, with a point or a comma for decimals
config-price-empty = this field is empty; enter a price such as 0.32
config-price-notDecimal = "{ $text }" is not a decimal number; write it like 0.32 or 0,32, without thousands separators
config-price-tooManyDigits = "{ $text }" has too many digits; round it to fewer decimal places
config-command-unclosedQuote = a double quote is not closed; close it, or write \" for a quote character
