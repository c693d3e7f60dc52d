//! The tray icon as a D-Bus StatusNotifierItem (what KDE, GNOME's AppIndicator extension,
//! XFCE, Cinnamon, LXQt and most panels show). Speaking the protocol directly keeps GTK and
//! WebKit out of the resident process; it also gives a real tooltip and left-click-to-open,
//! which the AppIndicator library we used before cannot.
//!
//! Menu choices are sent to the host as [`TrayAction`]s; the host pushes [`TrayState`]s back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ksni::menu::{MenuItem, StandardItem};
use ksni::{Icon, OfflineReason, ToolTip, TrayMethods};
use tokio::sync::mpsc;

use crate::control::{Control, PausePreset};
use crate::host::{TrayAction, TrayView};
use crate::tray_state::{MenuEntry, TrayIconKind, TrayState, TrayText};
use crate::wire::UiMode;

/// The item's id on the bus; hosts use it to remember the user's placement.
const ITEM_ID: &str = "overtime";

/// The five tray icons, decoded once.
#[derive(Clone)]
struct Icons {
    rental: Icon,
    volunteer: Icon,
    idle: Icon,
    paused: Icon,
    alert: Icon,
}

impl Icons {
    fn load() -> Result<Icons, String> {
        Ok(Icons {
            rental: decode(include_bytes!("../../../icons/tray-rental.png"))?,
            volunteer: decode(include_bytes!("../../../icons/tray-volunteer.png"))?,
            idle: decode(include_bytes!("../../../icons/tray-idle.png"))?,
            paused: decode(include_bytes!("../../../icons/tray-paused.png"))?,
            alert: decode(include_bytes!("../../../icons/tray-alert.png"))?,
        })
    }

    fn get(&self, kind: TrayIconKind) -> &Icon {
        match kind {
            TrayIconKind::Rental => &self.rental,
            TrayIconKind::Volunteer => &self.volunteer,
            TrayIconKind::Idle => &self.idle,
            TrayIconKind::Paused => &self.paused,
            TrayIconKind::Alert => &self.alert,
        }
    }
}

/// PNG (8-bit RGBA, as `scripts/make-icons.py` writes them) to the protocol's ARGB32 in
/// network byte order.
fn decode(png_bytes: &[u8]) -> Result<Icon, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "icon too large".to_owned())?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return Err(format!(
            "tray icons must be 8-bit RGBA, found {:?} {:?}",
            info.color_type, info.bit_depth
        ));
    }
    let rgba = &buf[..info.buffer_size()];
    let mut argb = Vec::with_capacity(rgba.len());
    for px in rgba.chunks_exact(4) {
        argb.extend_from_slice(&[px[3], px[0], px[1], px[2]]);
    }
    let side = |v: u32| i32::try_from(v).map_err(|_| "icon too large".to_owned());
    Ok(Icon {
        width: side(info.width)?,
        height: side(info.height)?,
        data: argb,
    })
}

/// What ksni serves on the bus.
struct Item {
    state: TrayState,
    text: TrayText,
    icons: Icons,
    actions: mpsc::UnboundedSender<TrayAction>,
    /// Whether a StatusNotifierWatcher has our item (false until one appears).
    present: Arc<AtomicBool>,
}

impl Item {
    fn send(&self, action: TrayAction) {
        // The host has stopped when this fails; the tray is about to go too.
        let _ = self.actions.send(action);
    }

    fn entry(&self, entry: MenuEntry, action: TrayAction) -> MenuItem<Self> {
        StandardItem {
            label: self.text.entry(entry),
            activate: Box::new(move |item: &mut Item| item.send(action.clone())),
            ..Default::default()
        }
        .into()
    }
}

fn force(mode: UiMode) -> TrayAction {
    TrayAction::Control(Control::Force {
        mode,
        gpu: None,
        until: None,
    })
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        ITEM_ID.to_owned()
    }

    fn title(&self) -> String {
        "Overtime".to_owned()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::Hardware
    }

    fn icon_pixmap(&self) -> Vec<Icon> {
        vec![self.icons.get(self.state.icon).clone()]
    }

    fn tool_tip(&self) -> ToolTip {
        let mut lines = self.state.tooltip.splitn(2, '\n');
        ToolTip {
            title: lines.next().unwrap_or("Overtime").to_owned(),
            description: lines.next().unwrap_or_default().to_owned(),
            ..Default::default()
        }
    }

    /// Left click opens the dashboard; the menu is on the right button.
    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(TrayAction::OpenDashboard);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        vec![
            self.entry(MenuEntry::Auto, TrayAction::Control(Control::Auto)),
            self.entry(MenuEntry::Rent, force(UiMode::Rental)),
            self.entry(MenuEntry::Volunteer, force(UiMode::Volunteer)),
            self.entry(MenuEntry::Idle, force(UiMode::Idle)),
            MenuItem::Separator,
            self.entry(
                MenuEntry::PauseOneHour,
                TrayAction::Control(Control::Pause(PausePreset::OneHour)),
            ),
            self.entry(
                MenuEntry::PauseThreeHours,
                TrayAction::Control(Control::Pause(PausePreset::ThreeHours)),
            ),
            self.entry(
                MenuEntry::PauseUntilTomorrow,
                TrayAction::Control(Control::Pause(PausePreset::UntilTomorrow)),
            ),
            self.entry(
                MenuEntry::PauseUntilResumed,
                TrayAction::Control(Control::Pause(PausePreset::UntilResumed)),
            ),
            MenuItem::Separator,
            // The override and its time left, shown, not clickable.
            StandardItem {
                label: self.state.override_line.clone(),
                enabled: false,
                ..Default::default()
            }
            .into(),
            MenuItem::Separator,
            self.entry(MenuEntry::OpenDashboard, TrayAction::OpenDashboard),
            self.entry(MenuEntry::Quit, TrayAction::Quit),
        ]
    }

    fn watcher_online(&self) {
        self.present.store(true, Ordering::SeqCst);
        self.send(TrayAction::HostPresent(true));
    }

    fn watcher_offline(&self, reason: OfflineReason) -> bool {
        tracing::debug!(?reason, "no tray host on the session bus");
        self.present.store(false, Ordering::SeqCst);
        self.send(TrayAction::HostPresent(false));
        // Keep serving: the icon comes back when a tray host does.
        true
    }
}

/// The running tray.
pub struct Tray {
    handle: ksni::Handle<Item>,
}

/// Why there is no tray.
#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    #[error("the tray icons could not be decoded: {0}")]
    Icons(String),
    #[error("no D-Bus session to put a tray icon on: {0}")]
    Bus(String),
}

impl Tray {
    /// Puts the icon on the session bus. `Ok((tray, false))` when no tray host is there yet:
    /// the item stays on the bus and appears as soon as one starts.
    pub async fn start(
        text: TrayText,
        initial: TrayState,
        actions: mpsc::UnboundedSender<TrayAction>,
    ) -> Result<(Tray, bool), TrayError> {
        let icons = Icons::load().map_err(TrayError::Icons)?;
        let present = Arc::new(AtomicBool::new(true));
        let item = Item {
            state: initial,
            text,
            icons,
            actions,
            present: Arc::clone(&present),
        };
        // A missing watcher is reported to `watcher_offline` during the spawn, not as an error.
        let handle = item
            .assume_sni_available(true)
            .spawn()
            .await
            .map_err(|e| TrayError::Bus(e.to_string()))?;
        Ok((Tray { handle }, present.load(Ordering::SeqCst)))
    }

    /// Removes the icon.
    pub async fn stop(&self) {
        self.handle.shutdown().await;
    }
}

impl TrayView for Tray {
    fn show(&self, state: TrayState) {
        let handle = self.handle.clone();
        tokio::spawn(async move {
            handle.update(|item| item.state = state).await;
        });
    }
}

/// Shared so the snapshot forwarder and the shutdown path can both hold it.
pub type SharedTray = Arc<Tray>;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_decodes_to_argb_of_its_size() {
        let icons = Icons::load().unwrap();
        for kind in [
            TrayIconKind::Rental,
            TrayIconKind::Volunteer,
            TrayIconKind::Idle,
            TrayIconKind::Paused,
            TrayIconKind::Alert,
        ] {
            let icon = icons.get(kind);
            assert!(icon.width >= 16 && icon.height == icon.width, "{kind:?}");
            assert_eq!(icon.data.len(), (icon.width * icon.height * 4) as usize);
        }
    }

    #[test]
    fn rgba_becomes_argb_in_network_order() {
        // One red, half-transparent pixel.
        let mut png_bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut png_bytes, 1, 1);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().unwrap();
            w.write_image_data(&[255, 0, 0, 128]).unwrap();
        }
        let icon = decode(&png_bytes).unwrap();
        assert_eq!(icon.data, vec![128, 255, 0, 0]);
    }
}
