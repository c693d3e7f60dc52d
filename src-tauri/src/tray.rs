//! The tray icon and its menu. Menu choices call the agent's handle directly; the icon and the
//! tooltip follow the agent's snapshots (updated only when what they show changes).

use std::sync::Arc;

use jiff::Timestamp;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Wry};

use crate::control::{self, Control, PausePreset};
use crate::shell::Shell;
use crate::tray_state::{TrayIconKind, TrayState};
use crate::window;
use crate::wire::UiMode;

/// The tray and the menu entry that shows the override's time left.
pub struct Tray {
    icon: TrayIcon<Wry>,
    override_item: MenuItem<Wry>,
    last: Option<TrayState>,
}

fn image(kind: TrayIconKind) -> tauri::Result<Image<'static>> {
    let bytes: &'static [u8] = match kind {
        TrayIconKind::Rental => include_bytes!("../../icons/tray-rental.png"),
        TrayIconKind::Volunteer => include_bytes!("../../icons/tray-volunteer.png"),
        TrayIconKind::Idle => include_bytes!("../../icons/tray-idle.png"),
        TrayIconKind::Paused => include_bytes!("../../icons/tray-paused.png"),
        TrayIconKind::Alert => include_bytes!("../../icons/tray-alert.png"),
    };
    Image::from_bytes(bytes)
}

/// Whether something can show the tray icon. On Linux the icon is a D-Bus StatusNotifier item
/// (shown by desktops that run a watcher on the session bus), falling back to an X11 system
/// tray icon (shown by an XEmbed tray such as trayer or a panel). With neither, nobody sees it.
pub fn host_seen() -> bool {
    #[cfg(target_os = "linux")]
    {
        let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
        bus || x11_tray_present()
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// True when an X11 system tray owns the `_NET_SYSTEM_TRAY_S<screen>` selection.
#[cfg(target_os = "linux")]
fn x11_tray_present() -> bool {
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::ConnectionExt as _;
    let Ok((conn, screen)) = x11rb::connect(None) else {
        return false;
    };
    let name = format!("_NET_SYSTEM_TRAY_S{screen}");
    let owner = conn
        .intern_atom(true, name.as_bytes())
        .ok()
        .and_then(|c| c.reply().ok())
        .filter(|a| a.atom != 0)
        .and_then(|a| conn.get_selection_owner(a.atom).ok())
        .and_then(|c| c.reply().ok());
    let _ = conn.flush();
    owner.is_some_and(|o| o.owner != 0)
}

/// Builds the tray. Errors mean there is no tray on this desktop; the app then works from
/// its window alone.
pub fn build(app: &AppHandle, shell: Arc<Shell>) -> tauri::Result<Tray> {
    let item = |id: &str, text: &str| MenuItem::with_id(app, id, text, true, None::<&str>);
    let override_item = MenuItem::with_id(app, "override", "Automatic", false, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &item("auto", "Auto")?,
            &item("rent", "Rent now")?,
            &item("volunteer", "Volunteer now")?,
            &item("idle", "Idle now")?,
            &PredefinedMenuItem::separator(app)?,
            &item("pause-1h", "Pause for 1 h")?,
            &item("pause-3h", "Pause for 3 h")?,
            &item("pause-tomorrow", "Pause until tomorrow")?,
            &item("pause-resume", "Pause until I resume")?,
            &PredefinedMenuItem::separator(app)?,
            &override_item,
            &PredefinedMenuItem::separator(app)?,
            &item("open", "Open dashboard")?,
            &item("quit", "Quit")?,
        ],
    )?;
    let icon = TrayIconBuilder::with_id("overtime")
        .icon(image(TrayIconKind::Idle)?)
        .tooltip("Overtime — starting")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| on_menu(app, &shell, event.id().as_ref()))
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                open_dashboard(tray.app_handle());
            }
        })
        .build(app)?;
    Ok(Tray {
        icon,
        override_item,
        last: None,
    })
}

fn open_dashboard(app: &AppHandle) {
    if let Err(e) = window::open(app) {
        tracing::error!(error = %e, "cannot open the dashboard window");
    }
}

fn on_menu(app: &AppHandle, shell: &Arc<Shell>, id: &str) {
    let control = match id {
        "auto" => Control::Auto,
        "rent" => Control::Force {
            mode: UiMode::Rental,
            gpu: None,
        },
        "volunteer" => Control::Force {
            mode: UiMode::Volunteer,
            gpu: None,
        },
        "idle" => Control::Force {
            mode: UiMode::Idle,
            gpu: None,
        },
        "pause-1h" => Control::Pause(PausePreset::OneHour),
        "pause-3h" => Control::Pause(PausePreset::ThreeHours),
        "pause-tomorrow" => Control::Pause(PausePreset::UntilTomorrow),
        "pause-resume" => Control::Pause(PausePreset::UntilResumed),
        "open" => return open_dashboard(app),
        "quit" => return crate::quit(app),
        _ => return,
    };
    let handle = shell.handle.clone();
    let tz = control::zone_named(&handle.snapshot().timezone);
    tauri::async_runtime::spawn(async move {
        if let Err(e) = control::apply(&handle, control, Timestamp::now(), &tz).await {
            tracing::warn!(error = %e, "the tray's choice was refused");
        }
    });
}

impl Tray {
    /// Shows `state`, touching the widget only for what changed.
    pub fn show(&mut self, state: TrayState) {
        if self.last.as_ref() == Some(&state) {
            return;
        }
        let last = self.last.take();
        if last.as_ref().map(|l| l.icon) != Some(state.icon) {
            match image(state.icon) {
                Ok(img) => {
                    if let Err(e) = self.icon.set_icon(Some(img)) {
                        tracing::debug!(error = %e, "cannot change the tray icon");
                    }
                }
                Err(e) => tracing::debug!(error = %e, "cannot decode the tray icon"),
            }
        }
        if last.as_ref().map(|l| &l.tooltip) != Some(&state.tooltip) {
            // Linux's AppIndicator hosts show no tooltips; the menu's override line and the
            // icon carry the state there.
            let _ = self.icon.set_tooltip(Some(&state.tooltip));
        }
        if last.as_ref().map(|l| &l.override_line) != Some(&state.override_line) {
            let text = state.override_line.as_deref().unwrap_or("Automatic");
            let _ = self.override_item.set_text(text);
        }
        self.last = Some(state);
    }
}
