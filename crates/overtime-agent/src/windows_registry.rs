//! Reading values other programs keep in the Windows registry (Steam's running game, BOINC's
//! data folder). Read only: Overtime keeps its own settings in its config file.
#![allow(unsafe_code)]

use std::ffi::c_void;

use windows_sys::Win32::Foundation::ERROR_SUCCESS;
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, RRF_RT_REG_DWORD, RRF_RT_REG_SZ, RegGetValueW,
};

/// The part of the registry a key lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `HKEY_CURRENT_USER`: the signed-in user's values (Steam's).
    CurrentUser,
    /// `HKEY_LOCAL_MACHINE`: the machine's (installers').
    LocalMachine,
}

impl Root {
    fn handle(self) -> HKEY {
        match self {
            Root::CurrentUser => HKEY_CURRENT_USER,
            Root::LocalMachine => HKEY_LOCAL_MACHINE,
        }
    }
}

/// `s` as a NUL-terminated UTF-16 string.
pub fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// A `REG_DWORD` value, `None` when the key or value is missing or of another type.
pub fn read_dword(root: Root, key: &str, value: &str) -> Option<u32> {
    let (key, value) = (wide(key), wide(value));
    let mut data = 0u32;
    let mut size = size_of::<u32>() as u32;
    // SAFETY: NUL-terminated strings and a buffer of `size` bytes.
    let status = unsafe {
        RegGetValueW(
            root.handle(),
            key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_DWORD,
            std::ptr::null_mut(),
            (&raw mut data).cast::<c_void>(),
            &mut size,
        )
    };
    (status == ERROR_SUCCESS).then_some(data)
}

/// A `REG_SZ` value of up to 1023 characters; `None` when missing, longer or of another type.
pub fn read_string(root: Root, key: &str, value: &str) -> Option<String> {
    let (key, value) = (wide(key), wide(value));
    let mut buf = vec![0u16; 1024];
    let mut size = (buf.len() * size_of::<u16>()) as u32;
    // SAFETY: NUL-terminated strings and a buffer of `size` bytes; RegGetValueW terminates the
    // string it writes.
    let status = unsafe {
        RegGetValueW(
            root.handle(),
            key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast::<c_void>(),
            &mut size,
        )
    };
    if status != ERROR_SUCCESS {
        return None;
    }
    let chars = (size as usize / size_of::<u16>()).min(buf.len());
    let end = buf[..chars].iter().position(|&c| c == 0).unwrap_or(chars);
    Some(String::from_utf16_lossy(&buf[..end]))
}

/// A registry key of a test's own below `HKEY_CURRENT_USER`, removed on drop, standing in for
/// another program's so tests never touch the real one.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub mod test_key {
    use super::*;
    use windows_sys::Win32::System::Registry::{
        REG_DWORD, REG_SZ, RegDeleteTreeW, RegSetKeyValueW,
    };

    pub struct TestKey {
        root: String,
        path: String,
    }

    impl TestKey {
        /// `Software\Overtime-tests\<pid>-<n>\<below>`.
        pub fn new(below: &str) -> TestKey {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let root = format!(r"Software\Overtime-tests\{}-{n}", std::process::id());
            let path = format!(r"{root}\{below}");
            TestKey { root, path }
        }

        /// The key's path below `HKEY_CURRENT_USER`.
        pub fn path(&self) -> &str {
            &self.path
        }

        fn sub(&self, sub: &str) -> Vec<u16> {
            if sub.is_empty() {
                wide(&self.path)
            } else {
                wide(&format!(r"{}\{sub}", self.path))
            }
        }

        pub fn set_dword(&self, sub: &str, name: &str, value: u32) {
            let (key, name) = (self.sub(sub), wide(name));
            // SAFETY: NUL-terminated strings and 4 bytes of data.
            let status = unsafe {
                RegSetKeyValueW(
                    HKEY_CURRENT_USER,
                    key.as_ptr(),
                    name.as_ptr(),
                    REG_DWORD,
                    (&raw const value).cast::<c_void>(),
                    4,
                )
            };
            assert_eq!(status, ERROR_SUCCESS);
        }

        pub fn set_string(&self, sub: &str, name: &str, value: &str) {
            let (key, name, data) = (self.sub(sub), wide(name), wide(value));
            // SAFETY: NUL-terminated strings; the size counts the data's NUL.
            let status = unsafe {
                RegSetKeyValueW(
                    HKEY_CURRENT_USER,
                    key.as_ptr(),
                    name.as_ptr(),
                    REG_SZ,
                    data.as_ptr().cast::<c_void>(),
                    (data.len() * 2) as u32,
                )
            };
            assert_eq!(status, ERROR_SUCCESS);
        }
    }

    impl Drop for TestKey {
        fn drop(&mut self) {
            let root = wide(&self.root);
            // SAFETY: a NUL-terminated key name below HKCU.
            unsafe { RegDeleteTreeW(HKEY_CURRENT_USER, root.as_ptr()) };
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::test_key::TestKey;
    use super::*;

    #[test]
    fn values_read_back_as_written_and_missing_or_mistyped_ones_are_none() {
        let key = TestKey::new("Reader");
        assert_eq!(read_dword(Root::CurrentUser, key.path(), "n"), None);
        key.set_dword("", "n", 42);
        key.set_string("", "s", "C:\\BOINC Daten\\");
        assert_eq!(read_dword(Root::CurrentUser, key.path(), "n"), Some(42));
        assert_eq!(
            read_string(Root::CurrentUser, key.path(), "s").as_deref(),
            Some("C:\\BOINC Daten\\")
        );
        assert_eq!(
            read_string(Root::CurrentUser, key.path(), "n"),
            None,
            "a DWORD"
        );
        assert_eq!(
            read_dword(Root::CurrentUser, key.path(), "s"),
            None,
            "a string"
        );
        key.set_string("", "long", &"x".repeat(2000));
        assert_eq!(
            read_string(Root::CurrentUser, key.path(), "long"),
            None,
            "longer than the buffer"
        );
    }
}
