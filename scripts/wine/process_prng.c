/*
 * Test-only stand-in for bcryptprimitives.dll under Wine 8.0.
 *
 * Rust's standard library (1.78 and later) asks bcryptprimitives.dll for ProcessPrng at start,
 * and Wine only gained that export in 8.13, so every Rust .exe dies before main under Debian's
 * Wine 8.0. Real Windows 10 and 11 ship it. This DLL answers the one call from the system RNG
 * behind BCryptGenRandom. It is copied into the throwaway Wine prefix the tests make and is
 * never part of what Overtime installs.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
