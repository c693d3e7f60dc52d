#!/usr/bin/python3
"""X11 helpers for the tray E2E test, where no window manager runs (Xvfb):

  x11.py close NAME   ask the top-level window titled NAME to close (WM_DELETE_WINDOW), as a
                      window manager's close button would
  x11.py count NAME   how many mapped top-level windows are titled NAME
  x11.py icon CLASS   centre (x y, root coordinates) of the tray icon whose WM_CLASS has CLASS
"""
import sys

from Xlib import X, display, protocol

d = display.Display()
root = d.screen().root


def walk(w):
    yield w
    for c in w.query_tree().children:
        yield from walk(c)


def named(name):
    for w in root.query_tree().children:
        try:
            if w.get_wm_name() == name and w.get_attributes().map_state == X.IsViewable:
                yield w
        except Exception:
            pass


cmd, arg = sys.argv[1], sys.argv[2]
if cmd == "close":
    delete = d.intern_atom("WM_DELETE_WINDOW")
    protocols = d.intern_atom("WM_PROTOCOLS")
    n = 0
    for w in named(arg):
        ev = protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        w.send_event(ev)
        n += 1
    d.flush()
    print(n)
elif cmd == "count":
    print(len(list(named(arg))))
elif cmd == "icon":
    for w in walk(root):
        try:
            cls = w.get_wm_class() or ()
        except Exception:
            continue
        if any(arg in c for c in cls):
            g = w.get_geometry()
            t = w.translate_coords(root, 0, 0)
            print(-t.x + g.width // 2, -t.y + g.height // 2)
            break
    else:
        sys.exit(1)
