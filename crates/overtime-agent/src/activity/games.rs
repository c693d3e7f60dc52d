//! Which running processes are games: the user's name patterns, plus (optionally) any process
//! the GPU driver lists as a graphics process that is not on the ignore list. The watcher scans
//! incrementally so a poll costs a directory listing, not a read of every process.

use std::collections::HashMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use overtime_core::activity::{GameMatch, RunningGame};
use overtime_core::config::ActivityConfig;

use super::ActivityError;
use super::process_list::{self, ProcessNames, ProcessSource};
use overtime_core::gpu::GpuProcess;

/// The user's game and ignore patterns, compiled. Patterns are globs matched case-insensitively
/// against each of a process's names (file names only, never folders).
#[derive(Debug, Clone)]
pub struct GameMatcher {
    game_patterns: Vec<String>,
    games: GlobSet,
    ignore: GlobSet,
    detect_graphics_processes: bool,
}

/// A process name that matched a game pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternMatch {
    /// The process's name that matched (comm, exe or argv0 file name).
    pub name: String,
    /// The pattern as the user wrote it.
    pub pattern: String,
}

impl GameMatcher {
    /// Compiles `config.games` and `config.ignore`. Fails on the first pattern that is not a
    /// valid glob, naming it.
    pub fn new(config: &ActivityConfig) -> Result<Self, ActivityError> {
        Ok(GameMatcher {
            game_patterns: config.games.clone(),
            games: compile("games", &config.games)?,
            ignore: compile("ignore", &config.ignore)?,
            detect_graphics_processes: config.detect_graphics_processes,
        })
    }

    /// The first of the process's names (comm, exe, argv0) that matches a game pattern, with
    /// the first matching pattern in the order the user listed them.
    pub fn game_pattern(&self, names: &ProcessNames) -> Option<PatternMatch> {
        names.iter().find_map(|name| {
            let index = *self.games.matches(name).first()?;
            Some(PatternMatch {
                name: name.to_owned(),
                pattern: self.game_patterns.get(index)?.clone(),
            })
        })
    }

    /// Whether any of the process's names is on the ignore list. The ignore list only keeps
    /// graphics processes from counting as games; it never overrides a game pattern.
    pub fn is_ignored(&self, names: &ProcessNames) -> bool {
        names.iter().any(|name| self.ignore.is_match(name))
    }

    /// Whether graphics processes the driver reports count as games.
    pub fn detects_graphics_processes(&self) -> bool {
        self.detect_graphics_processes
    }
}

fn compile(list: &'static str, patterns: &[String]) -> Result<GlobSet, ActivityError> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .map_err(|e| ActivityError::InvalidPattern {
                list,
                pattern: pattern.clone(),
                detail: e.kind().to_string(),
            })?;
        set.add(glob);
    }
    set.build().map_err(|e| ActivityError::InvalidPattern {
        list,
        pattern: e.glob().unwrap_or_default().to_owned(),
        detail: e.kind().to_string(),
    })
}

/// How many times a young process is looked at again after its first sighting, at ages 1, 2, 4
/// and 8 polls (2 s at the default poll). A process is often first seen between `fork` and
/// `exec`, or as a Wine loader that renames itself to `Game.exe` a moment later; naming it only
/// once would miss the game. A launcher that turns into the game later is caught when it shows
/// up as a graphics process. Each look costs one small read, and the count is kept low because
/// it is paid for every process the machine starts.
pub const YOUNG_PROCESS_RECHECKS: u64 = 4;
const YOUNG_PROCESS_MAX_AGE_POLLS: u32 = 1 << (YOUNG_PROCESS_RECHECKS - 1);

#[derive(Debug)]
struct KnownProcess {
    /// `None` for our own processes and for processes that could not be named.
    names: Option<ProcessNames>,
    pattern: Option<PatternMatch>,
    ignored: bool,
    /// The poll that last listed this PID; older entries have exited.
    seen_in_poll: u64,
    /// Polls since first seen, counted up to just past the last recheck.
    age_polls: u32,
}

/// Keeps the set of running games up to date, one cheap poll at a time.
///
/// Each poll lists PIDs and names only the PIDs it has not seen (plus a few rechecks of young
/// ones, see [`YOUNG_PROCESS_RECHECKS`]); PIDs missing from a listing are forgotten, so a PID
/// that is reused after one poll without it is named afresh. A PID reused between two polls
/// keeps the old names: telling would cost a read per process per poll. Our own process and
/// its parent are never games.
pub struct GameWatcher<S> {
    source: S,
    matcher: GameMatcher,
    known: HashMap<u32, KnownProcess>,
    own_pids: Vec<u32>,
    /// Buffers reused every poll so a quiet poll allocates nothing beyond the directory listing.
    pids: Vec<u32>,
    graphics: Vec<GpuProcess>,
    games: Vec<RunningGame>,
    poll_count: u64,
    listing_failed: bool,
    /// The source's process generation at the last full listing.
    generation: Option<u64>,
    /// Reused list of young PIDs due for another look.
    recheck: Vec<u32>,
}

impl<S: ProcessSource> GameWatcher<S> {
    /// A watcher that has seen nothing yet; the first [`poll`](Self::poll) names every process.
    pub fn new(source: S, config: &ActivityConfig) -> Result<Self, ActivityError> {
        Ok(GameWatcher {
            source,
            matcher: GameMatcher::new(config)?,
            known: HashMap::new(),
            own_pids: process_list::own_pids(),
            pids: Vec::new(),
            graphics: Vec::new(),
            games: Vec::new(),
            poll_count: 0,
            listing_failed: false,
            generation: None,
            recheck: Vec::new(),
        })
    }

    /// Brings the game set up to date with the process list and the driver's current graphics
    /// processes. Returns whether the games (or the GPUs they use) changed. When the process
    /// list cannot be read the previous games are kept and `false` is returned.
    pub fn poll(&mut self, graphics: &[GpuProcess]) -> bool {
        let mut dirty = false;
        if self.graphics.as_slice() != graphics {
            // A process that just became a graphics process may have exec'd since it was named.
            for g in graphics {
                if !self.graphics.iter().any(|old| old.pid == g.pid) {
                    self.rename(g.pid);
                }
            }
            self.graphics.clear();
            self.graphics.extend_from_slice(graphics);
            dirty = true;
        }

        // Nothing was started since the last listing: skip it, and only follow up on young
        // processes and on the games we know. This is what keeps an idle PC's cost near zero.
        let generation = self.source.generation();
        if !dirty && !self.listing_failed && generation.is_some() && generation == self.generation {
            return self.poll_without_listing();
        }

        if let Err(e) = self.source.pids(&mut self.pids) {
            if !self.listing_failed {
                tracing::warn!(error = %e, "cannot list processes; keeping the last known games");
                self.listing_failed = true;
            }
            return dirty && self.refresh_games();
        }
        if self.listing_failed {
            tracing::info!("process listing works again");
            self.listing_failed = false;
        }

        self.generation = generation;
        self.poll_count += 1;
        let poll = self.poll_count;
        for i in 0..self.pids.len() {
            let pid = self.pids[i];
            match self.known.get_mut(&pid) {
                Some(known) => {
                    known.seen_in_poll = poll;
                    if known.age_polls <= YOUNG_PROCESS_MAX_AGE_POLLS {
                        known.age_polls += 1;
                        let recheck = known.age_polls.is_power_of_two()
                            && known.age_polls <= YOUNG_PROCESS_MAX_AGE_POLLS;
                        if recheck {
                            dirty |= self.rename(pid);
                        }
                    }
                }
                None => {
                    let known = self.name_process(pid, poll);
                    dirty |= known.pattern.is_some() || self.is_graphics(pid);
                    self.known.insert(pid, known);
                }
            }
        }

        let graphics = &self.graphics;
        self.known.retain(|pid, known| {
            let running = known.seen_in_poll == poll;
            if !running {
                dirty |= known.pattern.is_some() || graphics.iter().any(|g| g.pid == *pid);
            }
            running
        });

        dirty && self.refresh_games()
    }

    /// A poll when no process was created since the last listing: young processes get their
    /// scheduled second looks, and games that exited are dropped.
    fn poll_without_listing(&mut self) -> bool {
        self.poll_count += 1;
        let poll = self.poll_count;
        let mut dirty = false;
        self.recheck.clear();
        for (pid, known) in &mut self.known {
            known.seen_in_poll = poll;
            if known.age_polls <= YOUNG_PROCESS_MAX_AGE_POLLS {
                known.age_polls += 1;
                if known.age_polls.is_power_of_two()
                    && known.age_polls <= YOUNG_PROCESS_MAX_AGE_POLLS
                {
                    self.recheck.push(*pid);
                }
            }
        }
        let recheck = std::mem::take(&mut self.recheck);
        for &pid in &recheck {
            dirty |= self.rename(pid);
        }
        self.recheck = recheck;

        let graphics = &self.graphics;
        let source = &mut self.source;
        self.known.retain(|pid, known| {
            let matters = known.pattern.is_some() || graphics.iter().any(|g| g.pid == *pid);
            if matters && !source.alive(*pid) {
                dirty = true;
                return false;
            }
            true
        });
        dirty && self.refresh_games()
    }

    /// The games running as of the last poll, by PID.
    pub fn games(&self) -> Vec<RunningGame> {
        self.games.clone()
    }

    /// [`games`](Self::games) without a copy.
    pub fn running_games(&self) -> &[RunningGame] {
        &self.games
    }

    /// The patterns in force.
    pub fn matcher(&self) -> &GameMatcher {
        &self.matcher
    }

    /// Our own process and its parent, which are never games.
    pub fn own_pids(&self) -> &[u32] {
        &self.own_pids
    }

    /// Replaces the patterns; known processes are judged again at once (no process is named
    /// again). Returns whether the games changed. An invalid pattern leaves the old ones in force.
    pub fn set_config(&mut self, config: &ActivityConfig) -> Result<bool, ActivityError> {
        self.matcher = GameMatcher::new(config)?;
        for known in self.known.values_mut() {
            if let Some(names) = &known.names {
                known.pattern = self.matcher.game_pattern(names);
                known.ignored = self.matcher.is_ignored(names);
            }
        }
        Ok(self.refresh_games())
    }

    /// How many processes the watcher currently knows.
    pub fn known_process_count(&self) -> usize {
        self.known.len()
    }

    /// The process source, e.g. to read a fake's counters.
    pub fn source(&self) -> &S {
        &self.source
    }

    fn name_process(&mut self, pid: u32, poll: u64) -> KnownProcess {
        let names = if self.own_pids.contains(&pid) {
            None
        } else {
            self.source.describe(pid)
        };
        KnownProcess {
            pattern: names.as_ref().and_then(|n| self.matcher.game_pattern(n)),
            ignored: names.as_ref().is_some_and(|n| self.matcher.is_ignored(n)),
            names,
            seen_in_poll: poll,
            age_polls: 0,
        }
    }

    /// Names a known process again; returns whether its names changed.
    fn rename(&mut self, pid: u32) -> bool {
        let Some(known) = self.known.get(&pid) else {
            return false;
        };
        // Reading one small file first keeps the second looks at young processes cheap; the
        // other names are only read again when the short name moved.
        let known_comm = known.names.as_ref().and_then(|n| n.comm.clone());
        if known_comm.is_some() && self.source.short_name(pid) == known_comm {
            return false;
        }
        let Some(known) = self.known.get(&pid) else {
            return false;
        };
        let fresh = self.name_process(pid, known.seen_in_poll);
        let Some(known) = self.known.get_mut(&pid) else {
            return false;
        };
        // A process that exited between listing and naming keeps its last names until the next
        // listing drops it.
        if fresh.names.is_none() || fresh.names == known.names {
            return false;
        }
        known.names = fresh.names;
        known.pattern = fresh.pattern;
        known.ignored = fresh.ignored;
        true
    }

    fn is_graphics(&self, pid: u32) -> bool {
        self.graphics.iter().any(|g| g.pid == pid)
    }

    /// Recomputes the game list; returns whether it differs from the previous one.
    fn refresh_games(&mut self) -> bool {
        let mut games = Vec::new();
        for (&pid, known) in &self.known {
            let Some(names) = &known.names else { continue };
            if self.own_pids.contains(&pid) {
                continue;
            }
            let (name, matched_by) = if let Some(m) = &known.pattern {
                (
                    m.name.clone(),
                    GameMatch::Pattern {
                        pattern: m.pattern.clone(),
                    },
                )
            } else if self.matcher.detects_graphics_processes()
                && !known.ignored
                && self.is_graphics(pid)
            {
                (names.display_name().to_owned(), GameMatch::GraphicsProcess)
            } else {
                continue;
            };
            let mut gpu_uuids: Vec<String> = Vec::new();
            for g in self.graphics.iter().filter(|g| g.pid == pid) {
                if !gpu_uuids.contains(&g.gpu_uuid) {
                    gpu_uuids.push(g.gpu_uuid.clone());
                }
            }
            games.push(RunningGame {
                name,
                pid: Some(pid),
                gpu_uuids,
                matched_by,
            });
        }
        games.sort_by_key(|g| g.pid);
        if games == self.games {
            return false;
        }
        self.games = games;
        true
    }
}
