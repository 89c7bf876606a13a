#!/usr/bin/env python3
"""Static check for scripts/gpu-rehearse.sh: every external command a bash script calls is in its lists.

Usage: SCAN_PATH=<the device-like PATH> python3 scripts/gpu-command-scan.py SCRIPT "$(compgen -b -k)"

Reads the command words of SCRIPT (comments, literal strings, heredocs and `python3 -c` programs
dropped; $( ) kept, also inside double quotes), keeps those that are executables on PATH or SCAN_PATH and
neither bash builtins/keywords nor functions of the script, and checks that each is listed in the
script's REQUIRED_CMDS=(...) or GUARDED_CMDS=(...), and that every REQUIRED_CMDS entry exists on
SCAN_PATH. Exit 1 otherwise. Together with the runtime check (a command_not_found_handle during the
rehearsal runs), this covers the branches the rehearsal does not take.
"""
import os
import re
import shutil
import sys

script, builtins = sys.argv[1], set(sys.argv[2].split())
src = open(script).read()
funcs = set(re.findall(r"^\s*([A-Za-z_][\w]*)\(\)\s*\{", src, re.M))
def arr(name):
    m = re.search(name + r"=\(([^)]*)\)", src)
    return set(m.group(1).split()) if m else set()
required, guarded = arr("REQUIRED_CMDS"), arr("GUARDED_CMDS")
text = re.sub(r"python3 -c '[^']*'", "python3", src)          # Python programs
text = re.sub(r"<<'(\w+)'.*?^\1$", "", text, flags=re.S | re.M)  # heredocs
def code_only(t):
    """The text bash runs as commands: literal strings and comments dropped, $( ) kept (also inside "...")."""
    out, stack, ctx, depth, i = [], [], "code", 0, 0
    while i < len(t):
        c = t[i]
        if ctx == "code":
            if c == "#" and (i == 0 or t[i - 1] in " \t\n;"):
                j = t.find("\n", i); i = len(t) if j < 0 else j; continue
            if c == "\\": out.append(" "); i += 2; continue
            if c == "'":
                j = t.find("'", i + 1); out.append(" ''"); i = len(t) if j < 0 else j + 1; continue
            if c == '"': stack.append((ctx, depth)); ctx, depth = "dq", 0; out.append(" "); i += 1; continue
            if t.startswith("$(", i): stack.append((ctx, depth)); ctx, depth = "code", 0; out.append(" ; "); i += 2; continue
            if c == "(": depth += 1
            if c == ")":
                if depth == 0 and stack: ctx, depth = stack.pop(); out.append(" ; "); i += 1; continue
                depth -= 1
            out.append(c); i += 1
        else:  # inside "...": only $( ) and the closing quote matter
            if c == "\\": i += 2; continue
            if c == '"': ctx, depth = stack.pop(); out.append(" "); i += 1; continue
            if t.startswith("$(", i): stack.append((ctx, depth)); ctx, depth = "code", 0; out.append(" ; "); i += 2; continue
            i += 1
    return "".join(out)
text = code_only(text)
words = set(re.findall(r"(?<![\w$/.{-])([a-z][\w.+-]*)(?![\w=/])", text))
path = os.environ.get("SCAN_PATH", os.environ["PATH"])
calls = {w for w in words if w not in builtins and w not in funcs and shutil.which(w, path=os.environ["PATH"] + ":" + path)}
unlisted = sorted(calls - required - guarded)
absent = sorted(c for c in required if not shutil.which(c, path=path))
print(f"{len(calls)} external commands in the script ({' '.join(sorted(calls))}); not in REQUIRED_CMDS/GUARDED_CMDS: "
      f"{' '.join(unlisted) or 'none'}; REQUIRED_CMDS absent from the device PATH: {' '.join(absent) or 'none'}")
sys.exit(1 if unlisted or absent else 0)
