### Overtime auf Deutsch: jeder Text, den Fenster, Infobereich und Benachrichtigungen zeigen.
### Dieselben Ids und Variablen wie die englische Referenz (en/overtime.ftl).

## app

app-title = Overtime
app-demo = Demo-Modus — keine NVIDIA-GPU gefunden, die Werte unten sind simuliert. Es wird nichts wirklich vermietet oder berechnet.
app-noTray = Auf diesem Desktop gibt es keinen Infobereich (Tray). Schließen des Fensters lässt Overtime im Hintergrund weiterlaufen; starten Sie es erneut, um das Fenster zurückzuholen, oder wählen Sie Beenden.
app-configError = Die Konfigurationsdatei hat einen Fehler; die bisherigen Einstellungen gelten weiter:
app-quit = Beenden
app-hostLost = Der Hintergrundprozess von Overtime wurde beendet, hier aktualisiert sich nichts mehr. Schließen Sie dieses Fenster und starten Sie Overtime erneut.
app-waiting = Warte auf den Agenten…

## nav

nav-dashboard = Übersicht
nav-settings = Einstellungen
nav-history = Verlauf

## history

history-title = Verlauf
history-range = Zeitraum
history-preset-today = Heute
history-preset-7d = 7 Tage
history-preset-30d = 30 Tage
history-preset-this_month = Dieser Monat
history-preset-last_month = Letzter Monat
history-preset-custom = Eigener
history-from = Von
history-to = Bis
history-pickDays = Wählen Sie einen ersten und einen letzten Tag.
history-filter-gpu = GPU
history-filter-provider = Anbieter
history-filter-mode = Modus
history-filter-all = Alle
history-loading = Verlauf wird gelesen…
history-simulated = simuliert
history-simulatedNote = Demo-Modus: Diese Zahlen stammen von simulierten GPUs und Anbietern. Es wurde kein Geld verdient oder ausgegeben.
history-gross = Verdient
history-estimated = davon geschätzt: { $amount }
history-electricity = Strom
history-net = Netto
history-energy = Energie
history-co2 = CO₂
history-hours = Stunden je Modus
history-credits = Ehrenamtliche Credits
history-none = keine
history-chart = Pro Tag in { $currency }: verdient, Strom und netto
history-chart-currency = Währung
history-chart-empty = In diesem Zeitraum wurde kein Geld verbucht.
history-sessions = Sitzungen
history-sessions-empty = Keine Sitzungen in diesem Zeitraum.
history-sessions-when = Wann
history-sessions-ongoing = läuft
history-sessions-reason = Grund
history-sessions-earnings = Vertrag zahlt
history-sessions-earningsHelp = Vertragspreis × Zeit; maßgeblich ist die Abrechnung des Anbieters.
history-more = Mehr anzeigen
history-export = CSV exportieren
history-exporting = Exportiere…
history-exported = Gespeichert unter { $path } (Sitzungen: { $sessions }, Abrechnungen: { $earnings }).
history-exportFailed = Der Export ist fehlgeschlagen:

## theme

theme-auto = System-Design
theme-light = Hell
theme-dark = Dunkel

## mode

mode-rental = Vermietung
mode-volunteer = Ehrenamtlich
mode-idle = Leerlauf

## control

control-auto = Automatisch
control-rent = Jetzt vermieten
control-volunteer = Jetzt ehrenamtlich
control-idle = Jetzt Leerlauf
control-pause = Pause…
control-pause-one_hour = für 1 Std.
control-pause-three_hours = für 3 Std.
control-pause-until_tomorrow = bis morgen
control-pause-until_resumed = bis ich fortsetze

## override

override-until = Manuell: { $mode } bis { $time }
override-forever = Manuell: { $mode } bis zum Fortsetzen
override-auto = Automatisch

## control

control-thisGpu = Nur diese GPU:
control-thisGpu-auto = Automatisch
control-thisGpu-label = Modus nur für GPU { $index }

## gpu

gpu-label = GPU { $index }
gpu-since = seit { $time }
gpu-temp = Temperatur
gpu-load = Auslastung
gpu-power = Leistung
gpu-vram = VRAM
gpu-fan = Lüfter
gpu-clocks = Takt
gpu-throttle = Drosselung
gpu-throttle-none = keine
gpu-limits = weich { $soft } · kritisch { $critical }
gpu-noReading = Noch kein Messwert
gpu-fault = Antwortet nicht:
gpu-powerCap = begrenzt auf { $w }

## chart

chart-temp = Temperatur (°C), letzte 10 Min.
chart-loadPower = Auslastung (%) und Leistung (W), letzte 10 Min.
chart-temp-hour = Temperatur (°C), letzte Stunde — Höchstwert je 10 s
chart-loadPower-hour = Auslastung (%) und Leistung (W), letzte Stunde — Mittelwert je 10 s
chart-range = Diagramme
chart-range-10m = 10 Min.
chart-range-1h = 1 Std.

## earnings

earnings-title = Einnahmen
earnings-range-today = Heute
earnings-range-7d = 7 Tage
earnings-range-30d = 30 Tage
earnings-gross = Brutto
earnings-estimated = davon laufende Vermietung (Schätzung)
earnings-electricity = Strom
earnings-net = Netto
earnings-energy = Energie
earnings-credits = Ehrenamtliche Credits
earnings-noCredits = Noch keine ehrenamtlichen Credits.
earnings-asOf = Stand { $time }; alle 5 Minuten aktualisiert.
earnings-estimateNote = Brutto und Netto enthalten die laufende Vermietung zum Vertragspreis; die Abrechnung des Anbieters ersetzt die Schätzung später.
earnings-simulated = simuliert
earnings-simulatedNote = Demo-Modus: Alle Zahlen hier sind simuliert. Es wurde kein echtes Geld verdient oder ausgegeben.
earnings-waiting = Zahlen werden aus dem Kassenbuch gelesen…
earnings-notKept = Dieser Agent führt kein Kassenbuch, daher gibt es keine Zahlen.
earnings-notOpened = Das Kassenbuch konnte nicht geöffnet werden, es wird nichts aufgezeichnet: { $error } Die GPU-Steuerung ist nicht betroffen. Beheben Sie das Problem und starten Sie Overtime neu.
earnings-notRecording = Der Verlauf wird gerade nicht aufgezeichnet: { $error } Die GPU-Steuerung ist nicht betroffen, und die Aufzeichnung läuft von selbst wieder an, sobald das Schreiben wieder klappt (meist: Speicherplatz auf dem Laufwerk mit { $path } freigeben).
earnings-movedAside = Das Kassenbuch war beschädigt und wurde nach { $path } verschoben (nicht gelöscht). Ein neues wurde angelegt, frühere Zahlen fehlen daher hier; bewahren Sie die alte Datei auf, wenn Sie ihren Verlauf brauchen.
earnings-dropped = { $count } Einträge gingen verloren, weil das Kassenbuch nicht nachkam; die Zahlen können etwas zu niedrig sein.

## timeline

timeline-title = Letzte 24 Stunden und nächste 24 Stunden
timeline-now = jetzt
timeline-any = Vermietung oder ehrenamtlich
timeline-gap = Nicht aufgezeichnet (Overtime lief nicht)
timeline-planned = Schraffiert: was der Zeitplan erlaubt. Spiele, Temperatur und Preise entscheiden weiterhin.
timeline-simulated = Demo-Modus: Die aufgezeichneten Modi sind simuliert.
timeline-notKept = Es wird kein Verlauf aufgezeichnet (dieser Agent führt kein Kassenbuch), daher zeigt die Leiste nur den Zeitplan der nächsten 24 Stunden.
timeline-unreadable = Der Verlauf konnte nicht gelesen werden, daher zeigt die Leiste nur den Zeitplan der nächsten 24 Stunden: { $error }
timeline-list-span = { $mode } von { $start } bis { $end }
timeline-list-open = { $mode } seit { $start }, läuft noch
timeline-list-plan = Der Zeitplan erlaubt { $modes } von { $start } bis { $end }
timeline-list-window = (Fenster { $name })
timeline-list-nothing = In den letzten 24 Stunden nichts aufgezeichnet.
timeline-list-or = { $a } oder { $b }

## providers

providers-title = Anbieter
providers-ok = OK
providers-none = Kein Anbieter eingerichtet.
providers-simulated = simuliert

## api

api-listening = Lokale API auf { $address }
api-disabled = Die lokale API ist in den Einstellungen ausgeschaltet.
api-off = Die lokale API ist aus: { $error }

## settings

settings-title = Einstellungen
settings-file = Gespeichert in { $path }
settings-saved = Gespeichert. Der Agent verwendet die neuen Einstellungen sofort.
settings-save = Speichern
settings-thermal = Temperaturgrenzen
settings-thermal-scope = Gilt für
settings-thermal-all = Alle GPUs
settings-thermal-soft = Weiche Grenze (°C)
settings-thermal-critical = Kritische Grenze (°C)
settings-thermal-hysteresis = Hysterese (°C)
settings-schedule = Wochenplan
settings-schedule-help = Modus wählen, dann Stunden anklicken oder überstreichen. Tastatur: Pfeiltasten bewegen, Leertaste oder Enter malt.
settings-schedule-any = Vermietung oder ehrenamtlich
settings-games = Spiele
settings-games-help = Ein Programmname pro Zeile (eldenring.exe, cs2). Solange eines läuft, bleibt seine GPU im Leerlauf.
settings-sections = Bereiche der Einstellungen
settings-remove = Entfernen
settings-close = Schließen
settings-optional = optional
settings-games-pick = Laufendes Programm wählen…
settings-games-pickHelp = Starten Sie zuerst das Spiel und wählen Sie es dann hier aus.
settings-games-filter = Filtern
settings-games-refresh = Aktualisieren
settings-games-loading = Laufende Programme werden gelesen…
settings-games-noneRunning = Kein anderes laufendes Programm gefunden.
settings-games-add = Zur Liste hinzufügen
settings-electricity = Strom
settings-electricity-help = Was Ihr Strom kostet, um zu erkennen, wann sich Vermieten lohnt. Preise wie auf der Rechnung schreiben, etwa 0,32.
settings-electricity-tariff = Tarif
settings-electricity-flat = Ein Preis
settings-electricity-tou = Zeitabhängig
settings-electricity-price = Preis pro kWh
settings-electricity-otherPrice = Preis pro kWh zu anderen Zeiten
settings-electricity-periodHelp = Jede Stunde darf nur einen Preis haben. Ein Zeitraum, der vor oder mit seinem Beginn endet, geht über Mitternacht.
settings-electricity-period = Zeitraum { $n }
settings-electricity-periodName = Name
settings-electricity-days = Tage
settings-electricity-from = Von
settings-electricity-to = bis
settings-electricity-addPeriod = Zeitraum hinzufügen
settings-electricity-currency = Währung
settings-electricity-exchange = Wechselkurs ({ $currency } pro { $rental })
settings-electricity-exchangeHelp = Vermietungen werden in { $rental } bezahlt; damit werden sie mit Ihrem Strompreis in { $currency } verglichen.
settings-electricity-rest = Restlicher PC (W)
settings-electricity-carbon = CO₂-Intensität des Stroms (g/kWh)
settings-providers = Anbieter
settings-providers-restart = Änderungen an Anbietern und Zugangsdaten gelten sofort. Ein Vermietungsanbieter, dessen GPU gerade bezahlt vermietet ist, behält die alten Einstellungen bis zum Vertragsende.
settings-providers-volunteer = Ehrenamtliches Rechnen
settings-providers-rental = Vermietung
settings-providers-inUse = aktiv
settings-providers-boinc = BOINC
settings-providers-fah = Folding@home
settings-providers-vast = Vast.ai
settings-providers-hooks = Befehle (Hooks)
settings-providers-demo = Demo (simuliert)
settings-providers-none = Aus
settings-providers-demoHelp = Die Demo-Anbieter sind simuliert: keine echte Arbeit, kein echtes Geld.
settings-providers-host = Host
settings-providers-port = Port
settings-providers-passwordFile = Pfad von gui_rpc_auth.cfg
settings-providers-passwordFileHelp = Leer: die üblichen Orte, dann das gespeicherte Passwort.
settings-providers-pause = Pausendauer (s)
settings-providers-controlCpu = Auch die CPU-Arbeit von BOINC pausieren
settings-providers-url = Adresse des Clients
settings-providers-group = Ressourcengruppe
settings-providers-apiUrl = API-Adresse
settings-providers-machine = Maschinen-ID
settings-providers-priceDisk = Speicherpreis (pro GB und Monat)
settings-providers-priceUp = Upload-Preis (pro GB)
settings-providers-priceDown = Download-Preis (pro GB)
settings-providers-minBid = Niedrigstes Gebot pro GPU-Stunde
settings-providers-minBidHelp = Leer: Ihr Angebotspreis.
settings-providers-minChunk = Mindestens GPUs pro Vermietung
settings-providers-hookHelp = Befehle laufen ohne Shell; { "{gpu}" }, { "{uuid}" } und { "{until}" } werden eingesetzt. Argumente mit Leerzeichen in doppelte Anführungszeichen setzen.
settings-providers-hook = Hook { $n }
settings-providers-hookName = Name
settings-providers-hookKind = Verwendet für
settings-providers-hookStart = Startbefehl
settings-providers-hookStop = Stoppbefehl
settings-providers-hookStatus = Statusbefehl (optional)
settings-providers-hookTimeout = Zeitlimit (s)
settings-providers-addHook = Hook hinzufügen
settings-providers-test = Verbindung testen
settings-providers-testing = Wird getestet…
settings-providers-testOk = Funktioniert
settings-providers-testSimulated = Simuliert
settings-providers-testFailed = Funktioniert nicht

## credential

credential-vast_api_key = Vast.ai-API-Schlüssel
credential-boinc_password = BOINC-RPC-Passwort
credential-set = gesetzt
credential-notSet = nicht gesetzt
credential-placeholder = Hier einfügen
credential-placeholderSet = Zum Ersetzen einen neuen einfügen
credential-store = Speichern
credential-remove = Entfernen
credential-stored = Im Schlüsselbund des Systems gespeichert; Overtime zeigt ihn nicht wieder an.
credential-removed = Aus dem Schlüsselbund des Systems entfernt.
credential-env = Gesetzt durch die Umgebungsvariable { $var }, die Vorrang vor dem Schlüsselbund hat.

## settings

settings-notifications = Benachrichtigungen
settings-notifications-help = Welche Ereignisse eine Desktop-Benachrichtigung zeigen.
settings-notifications-thermal_trip = Eine GPU wurde zu heiß und die Arbeit gestoppt
settings-notifications-rental_started = Eine Vermietung hat begonnen
settings-notifications-rental_ended = Eine Vermietung ist beendet
settings-notifications-provider_error = Ein Anbieter funktioniert nicht mehr
settings-notifications-override_expired = Ein manueller Modus ist abgelaufen
settings-startup = Beim Anmelden starten
settings-startup-toggle = Overtime beim Anmelden im Infobereich starten
settings-startup-unsupported = Auf diesem System noch nicht unterstützt.
settings-api = Lokale API
settings-api-applies = Änderungen gelten, sobald Sie sie speichern.
settings-api-enabled = Lokale API auf 127.0.0.1 anbieten
settings-api-port = Port
settings-api-metrics = /metrics für Prometheus anbieten

## day

day-0 = Mo
day-1 = Di
day-2 = Mi
day-3 = Do
day-4 = Fr
day-5 = Sa
day-6 = So

## error

error-generic = Das hat nicht geklappt:

## tray: Menü, Tooltip und Zeile zum manuellen Modus des Tray-Symbols

tray-entry-auto = Auto
tray-entry-rent = Jetzt vermieten
tray-entry-volunteer = Jetzt ehrenamtlich
tray-entry-idle = Jetzt Leerlauf
tray-entry-pauseOneHour = Pause für 1 Std.
tray-entry-pauseThreeHours = Pause für 3 Std.
tray-entry-pauseUntilTomorrow = Pause bis morgen
tray-entry-pauseUntilResumed = Pause bis ich fortsetze
tray-entry-openDashboard = Dashboard öffnen
tray-entry-quit = Beenden
tray-tooltip = Overtime — { $modes }
tray-noGpu = keine GPU
tray-demo = Demo
tray-netToday = netto heute { $amounts }
tray-simulated = simuliert
tray-automatic = Automatisch
tray-paused = Pausiert
tray-modeNow = Jetzt { $mode }
tray-untilResumed = { $what } — bis Sie fortsetzen
tray-left = { $what } — noch { $left }
tray-underAMinute = unter einer Minute
tray-minutes = { $minutes } min
tray-hoursMinutes = { $hours } Std. { $minutes } min

## notify: Desktop-Benachrichtigungen

notify-thermalTrip-summary = GPU-Schutz: Arbeit gestoppt
notify-thermalTrip-body = { $gpu }: { $sentence }
notify-rentalStarted-summary = Vermietung begonnen
notify-rentalStarted-body = { $gpu } ist jetzt vermietet.
notify-rentalEnded-summary = Vermietung beendet
notify-rentalEnded-body = Der Mietvertrag für { $gpu } ist zu Ende.
notify-providerError-summary = Anbieter meldet einen Fehler
notify-providerError-body = { $provider }: { $error }
notify-overrideExpired-summary = Automatik wieder an
notify-overrideExpired-body = { $what } ist abgelaufen; Zeitplan und Regeln entscheiden wieder.
notify-overrideExpired-pause = Die Pause
notify-overrideExpired-mode = „Jetzt { $mode }“

## month

month-1 = Jan.
month-2 = Feb.
month-3 = März
month-4 = Apr.
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = Aug.
month-9 = Sept.
month-10 = Okt.
month-11 = Nov.
month-12 = Dez.
when-dayTime = { $weekday }., { $day }. { $month } { $time }

## reason

reason-withMode = { $mode } — { $sentence }
reason-mode-rental = Vermietung
reason-mode-volunteer = Ehrenamtlich
reason-mode-idle = Leerlauf
reason-starting = startet
reason-stopped = Overtime wurde beendet; die Arbeit ist abgegeben
reason-criticalTemperature = { $temp }: kritische Grenze von { $limit } erreicht, alle Arbeit ist gestoppt
reason-criticalTemperatureRentalCapped = { $temp }: kritische Grenze von { $limit } erreicht; die Vermietung läuft mit einer Leistungsgrenze von { $power } weiter, die GPU ist nicht mehr angeboten
reason-telemetryStale-fault = kein verlässlicher Sensorwert ({ $fault })
reason-telemetryStale-age = seit { $seconds } s kein Sensorwert
reason-telemetryStale-none = noch kein Sensorwert
reason-telemetryStaleRentalKept = die Sensoren antworten nicht; die Vermietung läuft bis { $until } und wird nicht abgebrochen, die GPU ist nicht mehr angeboten
reason-telemetryStaleRentalKept-fault = die Sensoren antworten nicht ({ $fault }); die Vermietung läuft bis { $until } und wird nicht abgebrochen, die GPU ist nicht mehr angeboten
reason-override-until = von Ihnen festgelegt bis { $until }
reason-override-resume = von Ihnen festgelegt, bis Sie fortsetzen
reason-overrideUnavailable = Sie haben { $mode } gewählt, aber { $why }
reason-overrideRentalKept = Sie haben { $mode } gewählt; die bezahlte Vermietung läuft bis { $until } und wird nicht abgebrochen
reason-gameRunning = Spiel läuft: { $game }
reason-gameRentalKept = Spiel läuft: { $game }; die bezahlte Vermietung läuft bis { $until } und wird nicht abgebrochen
reason-gameExited = { $game } wurde beendet, weiter um { $at }
reason-gameRunning-fullScreen = Vollbildprogramm im Vordergrund: { $game }
reason-gameRunning-steam = Steam-Spiel läuft: { $game }
reason-gameRentalKept-fullScreen = Vollbildprogramm im Vordergrund: { $game }; die bezahlte Vermietung läuft bis { $until } und wird nicht abgebrochen
reason-gameRentalKept-steam = Steam-Spiel läuft: { $game }; die bezahlte Vermietung läuft bis { $until } und wird nicht abgebrochen
reason-gameExited-fullScreen = { $game } ist nicht mehr im Vollbild, weiter um { $at }
reason-gameExited-steam = Steam-Spiel { $game } wurde beendet, weiter um { $at }
reason-userActive = Sie sind am Computer (letzte Eingabe vor { $seconds } s)
reason-thermalPowerCapped = { $temp } über der Grenze von { $limit }, Leistung auf { $power } begrenzt
reason-thermalCooling-at = kühlt ab, nachdem die Grenze von { $limit } überschritten war; weiter um { $at }, wenn es unter { $resume } bleibt
reason-thermalCooling-at-now = { $temp }, kühlt ab, nachdem die Grenze von { $limit } überschritten war; weiter um { $at }, wenn es unter { $resume } bleibt
reason-thermalCooling-below = über der Grenze von { $limit }, kühlt ab; weiter, sobald unter { $resume }
reason-thermalCooling-below-now = { $temp }, über der Grenze von { $limit }, kühlt ab; weiter, sobald unter { $resume }
reason-rented = vermietet bis { $until }
reason-listed = zur Miete angeboten bis { $until }
reason-listed-offer = zur Miete angeboten bis { $until } für { $price }/h; Strom { $cost }
reason-listed-noCost = zur Miete angeboten bis { $until } für { $price }/h; Stromkosten unbekannt (kein Leistungswert für diese GPU)
reason-listed-noRate = zur Miete angeboten bis { $until }; Strom { $cost }, nicht verglichen (kein Wechselkurs zur Mietwährung)
reason-backfill = { $listed }; bis ein Mieter kommt, wird ehrenamtlich gerechnet
reason-scheduleVolunteer-windowUntil = Zeitfenster „{ $window }“ bis { $until }
reason-scheduleVolunteer-window = Zeitfenster „{ $window }“
reason-scheduleVolunteer-until = außerhalb der Zeitfenster bis { $until }
reason-scheduleVolunteer = vom Zeitplan erlaubt
reason-scheduleIdle-window = Zeitfenster „{ $window }“ hält die GPU im Leerlauf
reason-scheduleIdle = der Zeitplan erlaubt jetzt keine Arbeit
reason-scheduleIdle-next = { $why }; Arbeit kann um { $at } beginnen
reason-notProfitable = Vermieten für { $price }/h schlägt den Strom nicht um { $margin } %: { $cost }
reason-noProvider = { $mode } erlaubt, aber { $why }
reason-dwell = bleibt bis { $until }, bevor zu { $mode } gewechselt wird (Mindestzeit in einem Modus)
cost-perHour = { $price }/h bei { $watts } W ({ $source })
cost-perHour-rest = { $price }/h bei { $watts } W ({ $source }; übriger PC { $rest } W)
cost-source-recentAverage = GPU { $watts } W im Schnitt bei der Arbeit zuletzt
cost-source-live = GPU { $watts } W gerade gemessen, noch kein Arbeitsschnitt erfasst
cost-source-powerLimit = GPU { $watts } W Leistungsgrenze, noch kein Arbeitsverbrauch gemessen
unavailable-rental-notSetUp = es ist kein Vermietungsanbieter eingerichtet
unavailable-volunteer-notSetUp = es ist kein Client für ehrenamtliches Rechnen eingerichtet
unavailable-notReported = { $provider } hat sich noch nicht gemeldet

## config: was an einer Einstellung falsch ist und was zu tun ist, neben dem Feld oder in `overtime doctor`
## Schlüssel, TOML und Beispielwerte bleiben so, wie sie in der Datei stehen.

config-outOfRange = { $value } liegt außerhalb des Bereichs; verwenden Sie einen Wert von { $min } bis { $max }{ $unit }
config-price-negative = { $value } ist negativ; ein Preis muss 0 oder mehr sein
config-timezone-unknown = „{ $zone }“ ist keine bekannte IANA-Zeitzone; verwenden Sie einen Namen wie "Europe/Berlin" oder "America/New_York", oder lassen Sie das Feld leer für die Zeitzone des Systems
config-days-none = keine Tage angegeben; nennen Sie mindestens einen, z. B. ["mon-fri"] oder ["daily"]
config-days-notARange = „{ $entry }“ ist kein Tagesbereich; verwenden Sie mon…sun oder monday…sunday, einen Bereich wie mon-fri oder fri-mon, oder daily, weekdays oder weekends
config-days-notADay = „{ $entry }“ ist kein Tag; verwenden Sie mon…sun oder monday…sunday, einen Bereich wie mon-fri oder fri-mon, oder daily, weekdays oder weekends
config-days-empty = ein leerer Tagesname; verwenden Sie mon…sun oder monday…sunday, einen Bereich wie mon-fri oder fri-mon, oder daily, weekdays oder weekends
config-time-notAStart = „{ $text }“ ist keine Uhrzeit; verwenden Sie HH:MM zwischen 00:00 und 23:59
config-time-notAnEnd = „{ $text }“ ist keine Uhrzeit; verwenden Sie HH:MM zwischen 00:00 und 24:00
config-time-midnightStart = „{ $text }“ kann kein Beginn sein; ein Zeitfenster, das um Mitternacht beginnt, beginnt um 00:00
config-window-empty = das Zeitfenster beginnt und endet um { $time } und ist damit leer; für einen ganzen Tag verwenden Sie start = "00:00" und end = "24:00"
config-window-overlap = { $later } überschneidet sich am { $day ->
        [0] Montag
        [1] Dienstag
        [2] Mittwoch
        [3] Donnerstag
        [4] Freitag
        [5] Samstag
       *[6] Sonntag
    } um { $time } mit { $earlier }; Zeitfenster dürfen sich nirgends in der Woche überschneiden (ein Fenster über Mitternacht belegt auch den nächsten Morgen): verschieben oder kürzen Sie eines, oder entfernen Sie einen Tag
config-thermal-gpuKey = „{ $key }“ ist weder eine GPU-UUID noch ein Index; verwenden Sie die UUID, die `overtime status` zeigt ("GPU-…"), oder einen Index von 0 bis { $max } wie "0"
config-thermal-criticalNotAboveSoft = critical_limit_c ({ $critical } °C) muss über soft_limit_c ({ $soft } °C) liegen; erhöhen Sie die kritische Grenze oder senken Sie die weiche
config-thermal-criticalNotAboveSoft-merged = critical_limit_c ({ $critical } °C) muss über soft_limit_c ({ $soft } °C) liegen (mit den Vorgaben aus [thermal]); erhöhen Sie die kritische Grenze oder senken Sie die weiche
config-thermal-hysteresisNotBelowSoft = hysteresis_c ({ $hysteresis } °C) muss unter soft_limit_c ({ $soft } °C) liegen, sonst würde die Arbeit nie fortgesetzt
config-thermal-hysteresisNotBelowSoft-merged = hysteresis_c ({ $hysteresis } °C) muss unter soft_limit_c ({ $soft } °C) liegen (mit den Vorgaben aus [thermal]), sonst würde die Arbeit nie fortgesetzt
config-activity-emptyName = ein leerer Name; schreiben Sie den Namen einer Programmdatei oder ein Muster wie "eldenring.exe" oder "steam_app_*", oder entfernen Sie den Eintrag
config-activity-badGlob = „{ $pattern }“ ist kein gültiges Muster ({ $detail }); * steht für beliebige Zeichen, ? für eines, und jede [ und {"{"} muss geschlossen werden
config-rental-badExchangeRate = { $rate } ist kein Wechselkurs; geben Sie an, wie viele { $power } ein { $rental } wert ist, eine Zahl über 0 wie "0.92"
config-rental-currencyMismatch = der Mietpreis ist in { $rental }, Strom aber in { $power } angegeben; setzen Sie rental.exchange_rate darauf, wie viele { $power } ein { $rental } wert ist (z. B. "0.92"), oder verwenden Sie für beides dieselbe Währung
config-electricity-carbon = { $value } liegt außerhalb des Bereichs; verwenden Sie Gramm CO2 je kWh zwischen 0 und 2000
config-period-noDays = keine Tage angegeben; nennen Sie Tage wie ["mon-fri"]
config-period-startHour = { $hour } ist keine Stunde; verwenden Sie 0 bis 23
config-period-endHour = { $hour } ist keine Endstunde; verwenden Sie 1 bis 24
config-period-empty = gleich start_hour; ein Zeitraum braucht mindestens eine Stunde
config-period-overlap = überschneidet sich am { $day ->
        [0] Montag
        [1] Dienstag
        [2] Mittwoch
        [3] Donnerstag
        [4] Freitag
        [5] Samstag
       *[6] Sonntag
    } um { $time } mit electricity.period[{ $other }]; jede Stunde darf nur einen Preis haben
config-providers-noHook = Befehls-Hooks sind gewählt, aber kein [[providers.hooks]] hat kind = "{ $kind }"; fügen Sie einen hinzu oder wählen Sie einen anderen Anbieter
config-boinc-host = „{ $host }“ ist kein Hostname; verwenden Sie die Adresse, auf der der BOINC-Client lauscht, normalerweise "127.0.0.1"
config-fah-url = „{ $url }“ ist keine WebSocket-Adresse; die des Folding@home-Clients ist normalerweise "ws://127.0.0.1:7396/api/websocket"
config-vast-url = „{ $url }“ ist keine Webadresse; die API von Vast.ai ist "https://console.vast.ai/api/v0"
config-vast-price = „{ $text }“ ist kein Preis; schreiben Sie eine Dezimalzahl wie "0.10"
config-vast-price-optional = „{ $text }“ ist kein Preis; schreiben Sie eine Dezimalzahl wie "0.10", oder lassen Sie das Feld leer
config-vast-minChunk = 0 GPUs können nicht vermietet werden; verwenden Sie 1 oder mehr
config-hook-name = ein Hook braucht einen Namen; er erscheint in Begründungen und im Protokoll
config-hook-noCommand = kein Befehl angegeben; schreiben Sie das Programm und seine Argumente als Liste wie ["my-market-cli", "{ $key }", "--gpu", "{"{"}gpu{"}"}"]
config-hook-noStatusProgram = der Statusbefehl nennt kein Programm; geben Sie eines an oder lassen Sie status leer
config-toml-value = der Wert lässt sich nicht lesen: { $detail }
config-toml-notToml = das ist kein gültiges TOML: { $detail }; das Format zeigt examples/overtime.toml
config-field-emptyWhole = dieses Feld ist leer; geben Sie eine ganze Zahl ein
config-field-tooLarge = { $text } ist für dieses Feld zu groß
config-field-notWhole = „{ $text }“ ist keine ganze Zahl; schreiben Sie nur Ziffern, z. B. 300
config-field-notANumber = „{ $text }“ ist keine Zahl; schreiben Sie Ziffern, mit Punkt oder Komma für Nachkommastellen
config-price-empty = dieses Feld ist leer; geben Sie einen Preis wie 0,32 ein
config-price-notDecimal = „{ $text }“ ist keine Dezimalzahl; schreiben Sie sie wie 0,32 oder 0.32, ohne Tausendertrennzeichen
config-price-tooManyDigits = „{ $text }“ hat zu viele Stellen; runden Sie auf weniger Nachkommastellen
config-command-unclosedQuote = ein doppeltes Anführungszeichen ist nicht geschlossen; schließen Sie es, oder schreiben Sie \" für ein Anführungszeichen
