//! Files and folders only their user may read: the API token and the state folder. On Unix
//! that is mode 0600/0700; on Windows a protected access list with one entry, the user's own
//! account (no inherited entries, so not even administrators' or SYSTEM's), which files created
//! inside a private folder inherit. On Windows a new file or folder starts with the list it
//! inherits and is given its own right after; inside a private folder, that is private already.

use std::fs::File;
use std::io;
use std::path::Path;

/// Creates `dir` with its missing parents. `dir` itself, when this call creates it, is private to
/// the user (on Unix the parents it creates are too; on Windows they keep what they inherit,
/// inside the user's profile); one that already exists is left as it is (the user may have
/// chosen to share it).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    sys::create_private_dir(dir)
}

/// Opens `path` for writing, private to the user. `new`: fail if it exists; otherwise
/// truncate it (keeping who may read it).
pub fn open_private(path: &Path, new: bool) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if new {
        options.create_new(true);
    } else {
        options.truncate(true);
    }
    sys::open_private(&mut options, path, new)
}

/// Makes an existing file private to the user. Returns whether others could read it before.
pub fn make_private(path: &Path) -> io::Result<bool> {
    sys::make_private(path)
}

/// Whether only the user may read `path`.
pub fn is_private(path: &Path) -> io::Result<bool> {
    sys::is_private(path)
}

#[cfg(unix)]
use unix as sys;

#[cfg(unix)]
mod unix {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    pub fn create_private_dir(dir: &Path) -> io::Result<()> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }

    pub fn open_private(options: &mut OpenOptions, path: &Path, _new: bool) -> io::Result<File> {
        options.mode(0o600).open(path)
    }

    pub fn make_private(path: &Path) -> io::Result<bool> {
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 == 0 {
            return Ok(false);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
        Ok(true)
    }

    pub fn is_private(path: &Path) -> io::Result<bool> {
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 == 0)
    }
}

#[cfg(windows)]
use windows as sys;

#[cfg(windows)]
#[allow(unsafe_code)]
mod windows {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;

    use windows_sys::Win32::Foundation::{
        CloseHandle, ERROR_SUCCESS, HANDLE, HLOCAL, LocalFree, WIN32_ERROR,
    };
    use windows_sys::Win32::Security::Authorization::{
        EXPLICIT_ACCESS_W, GetNamedSecurityInfoW, NO_MULTIPLE_TRUSTEE, SE_FILE_OBJECT, SET_ACCESS,
        SetEntriesInAclW, SetNamedSecurityInfoW, TRUSTEE_IS_SID, TRUSTEE_IS_USER, TRUSTEE_W,
    };
    use windows_sys::Win32::Security::{
        ACCESS_ALLOWED_ACE, ACL, ACL_SIZE_INFORMATION, AclSizeInformation,
        DACL_SECURITY_INFORMATION, EqualSid, GetAce, GetAclInformation, GetTokenInformation,
        NO_INHERITANCE, PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR,
        SUB_CONTAINERS_AND_OBJECTS_INHERIT, TOKEN_QUERY, TOKEN_USER, TokenUser,
    };
    use windows_sys::Win32::Storage::FileSystem::FILE_ALL_ACCESS;
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    pub fn create_private_dir(dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        set_owner_only(dir, true)
    }

    pub fn open_private(options: &mut OpenOptions, path: &Path, new: bool) -> io::Result<File> {
        let file = options.open(path)?;
        if new {
            set_owner_only(path, false)?;
        }
        Ok(file)
    }

    pub fn make_private(path: &Path) -> io::Result<bool> {
        if is_private(path)? {
            return Ok(false);
        }
        set_owner_only(path, path.is_dir())?;
        Ok(true)
    }

    /// The user's account as a SID, from this process's token.
    struct UserSid {
        /// A TOKEN_USER followed by the SID it points into.
        buffer: Vec<u64>,
    }

    impl UserSid {
        fn of_this_process() -> io::Result<UserSid> {
            let mut token: HANDLE = std::ptr::null_mut();
            // SAFETY: the pseudo handle of this process needs no closing; `token` is a valid
            // out pointer, read only on success.
            if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
                return Err(io::Error::last_os_error());
            }
            // A TOKEN_USER and its SID take well under 256 bytes; u64s keep it aligned.
            let mut buffer = vec![0u64; 64];
            let mut written = 0u32;
            // SAFETY: `buffer` has the size passed; `token` is live.
            let ok = unsafe {
                GetTokenInformation(
                    token,
                    TokenUser,
                    buffer.as_mut_ptr().cast(),
                    (buffer.len() * 8) as u32,
                    &mut written,
                )
            } != 0;
            let error = io::Error::last_os_error();
            // SAFETY: opened above, closed once.
            unsafe { CloseHandle(token) };
            if ok {
                Ok(UserSid { buffer })
            } else {
                Err(error)
            }
        }

        fn sid(&self) -> *mut core::ffi::c_void {
            // SAFETY: GetTokenInformation wrote a TOKEN_USER at the start of the buffer.
            unsafe { (*self.buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid }
        }
    }

    fn wide(path: &Path) -> Vec<u16> {
        path.as_os_str()
            .encode_wide()
            .chain(std::iter::once(0))
            .collect()
    }

    fn check(status: WIN32_ERROR) -> io::Result<()> {
        if status == ERROR_SUCCESS {
            Ok(())
        } else {
            Err(io::Error::from_raw_os_error(status as i32))
        }
    }

    /// Replaces the access list with one entry: full access for the user, inherited by what a
    /// folder holds. Protected, so the parent's entries do not flow in.
    fn set_owner_only(path: &Path, folder: bool) -> io::Result<()> {
        let user = UserSid::of_this_process()?;
        let access = EXPLICIT_ACCESS_W {
            grfAccessPermissions: FILE_ALL_ACCESS,
            grfAccessMode: SET_ACCESS,
            grfInheritance: if folder {
                SUB_CONTAINERS_AND_OBJECTS_INHERIT
            } else {
                NO_INHERITANCE
            },
            Trustee: TRUSTEE_W {
                pMultipleTrustee: std::ptr::null_mut(),
                MultipleTrusteeOperation: NO_MULTIPLE_TRUSTEE,
                TrusteeForm: TRUSTEE_IS_SID,
                TrusteeType: TRUSTEE_IS_USER,
                ptstrName: user.sid().cast(),
            },
        };
        let mut acl: *mut ACL = std::ptr::null_mut();
        // SAFETY: one valid entry whose SID outlives the call; `acl` receives a LocalAlloc'd
        // list, freed below.
        check(unsafe { SetEntriesInAclW(1, &access, std::ptr::null(), &mut acl) })?;
        let name = wide(path);
        // SAFETY: a NUL-terminated path and the list built above; owner and group unchanged.
        let status = unsafe {
            SetNamedSecurityInfoW(
                name.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                acl,
                std::ptr::null(),
            )
        };
        // SAFETY: allocated by SetEntriesInAclW, freed once.
        unsafe { LocalFree(acl as HLOCAL) };
        check(status)
    }

    /// Every entry is the user's own. Whether the list is protected does not matter: a file
    /// that inherited only the user's entry from a private folder is private too.
    pub fn is_private(path: &Path) -> io::Result<bool> {
        let user = UserSid::of_this_process()?;
        let name = wide(path);
        let mut dacl: *mut ACL = std::ptr::null_mut();
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: a NUL-terminated path and valid out pointers; the descriptor is freed below
        // and `dacl` points into it.
        check(unsafe {
            GetNamedSecurityInfoW(
                name.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut dacl,
                std::ptr::null_mut(),
                &mut descriptor,
            )
        })?;
        let private = !dacl.is_null() && only_user_entries(dacl, &user);
        // SAFETY: allocated by GetNamedSecurityInfoW, freed once.
        unsafe { LocalFree(descriptor as HLOCAL) };
        Ok(private)
    }

    fn only_user_entries(dacl: *mut ACL, user: &UserSid) -> bool {
        let mut info = ACL_SIZE_INFORMATION {
            AceCount: 0,
            AclBytesInUse: 0,
            AclBytesFree: 0,
        };
        // SAFETY: a live ACL and an out struct of the size passed.
        let ok = unsafe {
            GetAclInformation(
                dacl,
                (&raw mut info).cast(),
                size_of::<ACL_SIZE_INFORMATION>() as u32,
                AclSizeInformation,
            )
        } != 0;
        if !ok || info.AceCount == 0 {
            return false;
        }
        (0..info.AceCount).all(|index| {
            let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
            // SAFETY: an index below the ACL's count; `ace` points into the ACL.
            if unsafe { GetAce(dacl, index, &mut ace) } == 0 {
                return false;
            }
            let ace = ace.cast::<ACCESS_ALLOWED_ACE>();
            // SAFETY: every ACE starts with its header; an allowed ACE's SID starts at
            // `SidStart`. Only ACCESS_ALLOWED_ACE_TYPE (0) is read as one.
            unsafe {
                (*ace).Header.AceType == 0
                    && EqualSid((&raw mut (*ace).SidStart).cast(), user.sid()) != 0
            }
        })
    }
}

#[cfg(not(any(unix, windows)))]
use other as sys;

#[cfg(not(any(unix, windows)))]
mod other {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::path::Path;

    pub fn create_private_dir(dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }
    pub fn open_private(options: &mut OpenOptions, path: &Path, _new: bool) -> io::Result<File> {
        options.open(path)
    }
    pub fn make_private(_path: &Path) -> io::Result<bool> {
        Ok(false)
    }
    pub fn is_private(_path: &Path) -> io::Result<bool> {
        Ok(false)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("overtime-private-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// Wine 8.0 accepts a new access list but keeps only Unix mode bits, and does not change
    /// those either: reading the list back shows the old one. Under Wine the calls are made and
    /// must succeed, but what they set can only be checked on real Windows.
    #[cfg(windows)]
    #[allow(unsafe_code)]
    fn readback_works() -> bool {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
        let ntdll: Vec<u16> = "ntdll.dll\0".encode_utf16().collect();
        // SAFETY: a NUL-terminated module name and symbol name; ntdll is always loaded.
        let wine = unsafe {
            let module = GetModuleHandleW(ntdll.as_ptr());
            !module.is_null()
                && GetProcAddress(module, c"wine_get_version".as_ptr().cast()).is_some()
        };
        !wine
    }

    #[cfg(not(windows))]
    fn readback_works() -> bool {
        true
    }

    #[test]
    fn a_new_folder_and_a_new_file_are_the_user_s_only() {
        let root = scratch("new");
        let dir = root.join("state");
        create_private_dir(&dir).unwrap();
        let token = dir.join("api-token");
        open_private(&token, true)
            .unwrap()
            .write_all(b"secret")
            .unwrap();
        // Rewriting keeps it private.
        open_private(&token, false)
            .unwrap()
            .write_all(b"secret")
            .unwrap();
        if readback_works() {
            assert!(is_private(&dir).unwrap(), "the folder");
            assert!(is_private(&token).unwrap(), "the file");
            assert!(!make_private(&token).unwrap(), "already private");
        }
        assert_eq!(
            std::fs::read(&token).unwrap(),
            b"secret",
            "still readable by us"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_file_others_could_read_is_made_private_and_says_so() {
        let root = scratch("loose");
        std::fs::create_dir_all(&root).unwrap();
        let file = root.join("api-token");
        std::fs::write(&file, b"secret").unwrap();
        assert!(
            !is_private(&file).unwrap(),
            "a plain new file inherits its folder's wider access"
        );
        assert!(make_private(&file).unwrap());
        if readback_works() {
            assert!(is_private(&file).unwrap());
        }
        assert_eq!(
            std::fs::read(&file).unwrap(),
            b"secret",
            "still readable by us"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
