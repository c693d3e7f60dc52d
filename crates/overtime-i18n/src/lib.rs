//! Overtime's one catalogue of user-visible strings, in English and German.
//!
//! The catalogue is Project Fluent source, `ui/src/lib/i18n/locales/<language>/overtime.ftl`:
//! the window bundles the same files at build time, and this crate compiles them in
//! (`include_str!`), so the tray, the notifications and the dashboard read one text and no file
//! is read at run time. English is the reference; every other language has the same message ids
//! with the same variables (checked by the tests on both sides).
//!
//! A [`Catalogue`] is a cheap handle for one language: pick it from the system locale with
//! [`Catalogue::for_locale`], then ask for [`Catalogue::text`] by Fluent id with string
//! arguments.

mod catalogue;
mod money;

pub use catalogue::{Arg, Catalogue, Language};
