# SPDX-License-Identifier: GPL-2.0
"""Offline checks of meta-imx-rpmsg-rs and kas/, run by scripts/yocto-check.sh.

Each sub-command is one test: it prints what is wrong and exits 1, or exits 0
when the test passes (77 means "skipped", with the reason printed). Nothing
here fetches anything or runs bitbake; the recipes are simple enough to read
their assignments with a small parser (see `recipe_vars`).
"""

import argparse
import hashlib
import json
import os
import re
import sys

SKIP = 77

ASSIGN = re.compile(
    r'^(?:export\s+)?(?P<var>[A-Za-z0-9_\-${}/\[\].:]+?)\s*'
    r'(?P<op>\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*"(?P<val>.*)"\s*$')


def fail(msg):
    print(msg)
    return 1


def logical_lines(path):
    """Lines of a bitbake file with backslash continuations joined."""
    out, cur = [], ''
    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if line.endswith('\\'):
                cur += line[:-1] + ' '
                continue
            out.append(cur + line)
            cur = ''
    if cur:
        out.append(cur)
    return out


def recipe_vars(path):
    """Variable name -> list of (operator, value) in file order."""
    found = {}
    for line in logical_lines(path):
        m = ASSIGN.match(line.strip())
        if m:
            found.setdefault(m['var'], []).append((m['op'], ' '.join(m['val'].split())))
    return found


def value(path, var):
    """The plain value of VAR as the recipe sets it (no expansion)."""
    vals = recipe_vars(path).get(var)
    return vals[-1][1] if vals else None


def inherits(path):
    names = []
    for line in logical_lines(path):
        m = re.match(r'^\s*inherit\s+(.*)$', line)
        if m:
            names += m[1].split()
    return names


def bpn_pv(recipe):
    base = os.path.basename(recipe).rsplit('.', 1)[0]
    bpn, _, pv = base.partition('_')
    return bpn, pv


def recipes(layer):
    for root, _, files in os.walk(layer):
        for name in sorted(files):
            if name.endswith(('.bb', '.bbappend')):
                yield os.path.join(root, name)


# --- layer structure --------------------------------------------------------

def cmd_layer_conf(a):
    conf = os.path.join(a.layer, 'conf', 'layer.conf')
    if not os.path.isfile(conf):
        return fail(f'{conf} is missing')
    v = recipe_vars(conf)
    cols = ' '.join(val for _, val in v.get('BBFILE_COLLECTIONS', [])).split()
    errors = []
    if len(cols) != 1:
        errors.append(f'BBFILE_COLLECTIONS must add exactly one collection, got {cols}')
    for var in ['BBPATH', 'BBFILES']:
        if var not in v:
            errors.append(f'{var} is not set')
    for col in cols:
        for var in ['BBFILE_PATTERN', 'BBFILE_PRIORITY', 'LAYERDEPENDS', 'LAYERSERIES_COMPAT']:
            if f'{var}_{col}' not in v:
                errors.append(f'{var}_{col} is not set')
        if 'core' not in (value(conf, f'LAYERDEPENDS_{col}') or '').split():
            errors.append(f'LAYERDEPENDS_{col} does not name the core layer')
    print('\n'.join(errors))
    return 1 if errors else 0


def cmd_layout(a):
    errors = []
    for root, dirs, files in os.walk(a.layer):
        dirs[:] = [d for d in dirs if not d.startswith('.')]
        rel = os.path.relpath(root, a.layer)
        top = rel.split(os.sep)[0]
        for name in files:
            if name.endswith(('.bb', '.bbappend')):
                # recipes-<area>/<name>/<recipe>
                parts = rel.split(os.sep)
                if len(parts) != 2 or not parts[0].startswith('recipes-'):
                    errors.append(f'{rel}/{name}: recipes belong in recipes-*/<name>/')
            elif name.endswith('.bbclass') and top not in ('classes', 'classes-recipe', 'classes-global'):
                errors.append(f'{rel}/{name}: classes belong in classes*/')
    readme = os.path.join(a.layer, 'README.md')
    if not os.path.isfile(readme):
        errors.append('README.md is missing')
    else:
        text = open(readme, encoding='utf-8').read()
        for need in ['Licence', 'GPL-2.0', 'MIT OR Apache-2.0', 'Dependencies', 'meta-freescale']:
            if need not in text:
                errors.append(f'README.md does not mention "{need}"')
    print('\n'.join(errors))
    return 1 if errors else 0


def search_dirs(recipe, topdir):
    d = os.path.dirname(recipe)
    bpn, pv = bpn_pv(recipe)
    dirs = [os.path.join(d, f'{bpn}-{pv}'), os.path.join(d, bpn), os.path.join(d, 'files')]
    if 'imx_rpmsg_rs_src' in inherits(recipe):
        dirs.insert(0, os.path.join(topdir, value(recipe, 'IMX_RPMSG_RS_SRCDIR') or ''))
    return dirs


def local_uris(recipe):
    for _, val in recipe_vars(recipe).get('SRC_URI', []):
        for tok in val.split():
            if tok.startswith('file://'):
                path = tok[len('file://'):].split(';')[0]
                params = dict(p.split('=', 1) for p in tok.split(';')[1:] if '=' in p)
                yield path, params


def resolve(recipe, topdir, path):
    for d in search_dirs(recipe, topdir):
        cand = os.path.join(d, path)
        if os.path.exists(cand):
            return cand
    return None


def cmd_src_uri(a):
    errors, count = [], 0
    for recipe in recipes(a.layer):
        for path, _ in local_uris(recipe):
            count += 1
            if '${' in path:
                errors.append(f'{recipe}: file://{path} uses a variable; the check cannot resolve it')
            elif resolve(recipe, a.topdir, path) is None:
                errors.append(f'{os.path.relpath(recipe, a.layer)}: file://{path} not found in '
                              + ', '.join(os.path.relpath(d, a.topdir) for d in search_dirs(recipe, a.topdir)))
    print('\n'.join(errors) or f'{count} file:// entries found')
    return 1 if errors else 0


def lic_md5(path, params):
    begin = int(params.get('beginline', 1))
    end = int(params['endline']) if 'endline' in params else None
    h = hashlib.md5()
    with open(path, 'rb') as f:
        for n, line in enumerate(f, start=1):
            if n >= begin and (end is None or n <= end):
                h.update(line)
    return h.hexdigest()


def cmd_lic_chksum(a):
    errors, count = [], 0
    for recipe in recipes(a.layer):
        chk = value(recipe, 'LIC_FILES_CHKSUM')
        if chk is None:
            continue
        fetched = {os.path.basename(p): (p, prm) for p, prm in local_uris(recipe)}
        for tok in chk.split():
            path = tok[len('file://'):].split(';')[0]
            params = dict(p.split('=', 1) for p in tok.split(';')[1:] if '=' in p)
            if path.startswith('${COMMON_LICENSE_DIR}') or path == 'COPYING':
                continue  # in openembedded-core / the fetched kernel tree
            count += 1
            # The path is relative to S: find the fetched entry it names,
            # or the fetched directory it lies in.
            src = None
            if path in fetched or os.path.basename(path) in fetched:
                p, _ = fetched.get(path) or fetched[os.path.basename(path)]
                src = resolve(recipe, a.topdir, p)
            for p, _ in local_uris(recipe):
                src = src or resolve(recipe, a.topdir, os.path.join(os.path.dirname(p), path))
            if src is None:
                errors.append(f'{os.path.relpath(recipe, a.layer)}: licence file {path} not found')
                continue
            got = lic_md5(src, params)
            if got != params.get('md5'):
                errors.append(f'{os.path.relpath(recipe, a.layer)}: {path} md5 is {got}, '
                              f'LIC_FILES_CHKSUM says {params.get("md5")}')
    print('\n'.join(errors) or f'{count} checksums match')
    return 1 if errors else 0


# --- consistency with the rest of the project -------------------------------

def kconfig(path):
    opts = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            m = re.match(r'^(CONFIG_\w+)=(.*)$', line)
            if m:
                opts[m[1]] = 'n' if m[2] == 'n' else m[2]
                continue
            m = re.match(r'^# (CONFIG_\w+) is not set$', line)
            if m:
                opts[m[1]] = 'n'
    return opts


def cmd_kernel_fragment(a):
    project, frag = kconfig(a.project_config), kconfig(a.fragment)
    errors = [f'{k}: project has {v}, fragment has {frag.get(k, "nothing")}'
              for k, v in sorted(project.items()) if frag.get(k) != v]
    errors += [f'{k}: in the fragment but not in {a.project_config}'
               for k in sorted(set(frag) - set(project))]
    print('\n'.join(errors) or f'{len(project)} options mirrored')
    return 1 if errors else 0


def shell_vars(path):
    out = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'^([A-Z0-9_]+)=(\S+)', line.strip())
            if m:
                out[m[1]] = m[2].strip('"\'')
    return out


def cmd_kernel_source(a):
    pins = shell_vars(a.versions)
    ver = value(a.recipe, 'IMX_LINUX_DEB_VERSION')
    sha = value(a.recipe, 'SRC_URI[linux.sha256sum]')
    pv = value(a.recipe, 'LINUX_VERSION')
    errors = []
    if ver != pins.get('LINUX_SOURCE_VERSION'):
        errors.append(f'recipe takes Debian linux-source {ver}, scripts/versions.sh pins {pins.get("LINUX_SOURCE_VERSION")}')
    if sha != pins.get('LINUX_SOURCE_SHA256'):
        errors.append(f'recipe checksum {sha} differs from LINUX_SOURCE_SHA256 {pins.get("LINUX_SOURCE_SHA256")}')
    if ver and pv and not ver.startswith(pv + '-'):
        errors.append(f'LINUX_VERSION {pv} does not match the package version {ver}')
    if pins.get('LINUX_SOURCE_PKG') and not (value(a.recipe, 'IMX_LINUX_DEB') or '').startswith(pins['LINUX_SOURCE_PKG'] + '_'):
        errors.append(f'recipe does not fetch {pins["LINUX_SOURCE_PKG"]}')
    print('\n'.join(errors) or f'linux-source {ver} as in scripts/versions.sh')
    return 1 if errors else 0


def cmd_kernel_patches(a):
    """Every patch of the project's kernel/patches/ is in the kernel recipe's
    SRC_URI and resolves to that very file, and the recipe takes no other."""
    wanted = sorted(f for f in os.listdir(a.patches) if f.endswith('.patch'))
    listed = sorted(os.path.basename(p) for p, _ in local_uris(a.recipe) if p.endswith('.patch'))
    errors = [f'{p}: in kernel/patches but not in the recipe' for p in wanted if p not in listed]
    errors += [f'{p}: in the recipe but not in kernel/patches' for p in listed if p not in wanted]
    for p in set(wanted) & set(listed):
        found = resolve(a.recipe, a.topdir, p)
        if found is None or not os.path.samefile(found, os.path.join(a.patches, p)):
            errors.append(f'{p}: the recipe fetches {found}, not kernel/patches/{p}')
    print('\n'.join(errors) or f'{len(wanted)} kernel patch(es) as in kernel/patches')
    return 1 if errors else 0


def cmd_firmware_version(a):
    _, pv = bpn_pv(a.recipe)
    text = open(a.cargo_toml, encoding='utf-8').read()
    m = re.search(r'^\[workspace\.package\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S)
    got = m[1] if m else None
    if got != pv:
        return fail(f'recipe version {pv}, firmware workspace version {got}')
    print(f'firmware {pv}')
    return 0


def cmd_boot_script(a):
    # Placeholders are @NAME@ words outside comments.
    body = '\n'.join(ln for ln in open(a.bootcmd, encoding='utf-8').read().splitlines()
                     if not ln.lstrip().startswith('#'))
    used = set(re.findall(r'@([A-Z0-9_]+)@', body))
    replaced = set(re.findall(r"s\|@([A-Z0-9_]+)@\|", open(a.recipe, encoding='utf-8').read()))
    errors = [f'boot.cmd uses @{n}@ but the recipe does not fill it in' for n in sorted(used - replaced)]
    errors += [f'the recipe fills in @{n}@ that boot.cmd does not use' for n in sorted(replaced - used)]
    for cmd in ['bootaux', 'bootz', 'fatload']:
        if not re.search(rf'^\s*{cmd}\b', open(a.bootcmd, encoding='utf-8').read(), re.M):
            errors.append(f'boot.cmd never runs {cmd}')
    print('\n'.join(errors) or f'{len(used)} placeholders filled in')
    return 1 if errors else 0


def cmd_module_names(a):
    names = (value(a.recipe, 'IMX_RPMSG_RS_MODULES') or '').split()
    kbuilds = []
    for root, dirs, files in os.walk(a.topdir):
        dirs[:] = [d for d in dirs if d not in ('.git', 'target', 'meta-imx-rpmsg-rs')]
        kbuilds += [os.path.join(root, f) for f in files if f == 'Kbuild']
    if not os.path.isfile(os.path.join(a.topdir, 'Kbuild')):
        print('no top-level Kbuild in the checkout yet')
        return SKIP
    text = '\n'.join(open(k, encoding='utf-8').read() for k in kbuilds)
    built = set(re.findall(r'obj-(?:m|\$\([A-Z0-9_]+\))\s*[+:]?=\s*([^\n#]+)', text))
    objs = {o[:-2] for line in built for o in line.split() if o.endswith('.o')}
    errors = [f'{n}: autoloaded, but no Kbuild builds {n}.o (built: {sorted(objs)})'
              for n in names if n not in objs]
    # Test clients stay out of the image's boot; every other module loads.
    errors += [f'{o}: built by the Kbuild files but not in IMX_RPMSG_RS_MODULES'
               for o in sorted(objs) if 'test' not in o and o not in names]
    print('\n'.join(errors) or f'modules {names} are built')
    return 1 if errors else 0


def cmd_suppressions(a):
    """Every "# nooelint:" comment has its reason next to it: on the line
    above, or, for a whole-recipe one (oelint-adv reads those from line 1
    only), in the comment lines below it."""
    errors, count = [], 0
    for path in list(recipes(a.layer)) + [os.path.join(r, f) for r, _, fs in os.walk(a.layer)
                                          for f in fs if f.endswith(('.bbclass', '.inc'))]:
        lines = open(path, encoding='utf-8').read().splitlines()
        for i, line in enumerate(lines):
            if not line.lstrip().startswith('# nooelint:'):
                continue
            count += 1
            if i == 0:
                below = lines[1].strip() if len(lines) > 1 else ''
                ok = below.startswith('#') and 'why' in below.lower()
            else:
                prev = lines[i - 1].strip()
                ok = prev.startswith('#') and not prev.startswith('# nooelint:')
            if not ok:
                errors.append(f'{path}:{i + 1}: inline suppression without its reason')
    if os.path.exists(os.path.join(a.layer, '.oelint-suppress')):
        errors.append('.oelint-suppress: rules are no longer switched off layer-wide; '
                      'suppress in the recipe, with the reason')
    print('\n'.join(errors) or f'{count} suppressions, each with a reason')
    return 1 if errors else 0


# --- kas ---------------------------------------------------------------------

def load_yaml(path):
    import yaml
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f)


def cmd_kas_schema(a):
    import jsonschema
    import kas
    schema_path = os.path.join(os.path.dirname(kas.__file__), 'schema-kas.json')
    with open(schema_path, encoding='utf-8') as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = [f'{"/".join(map(str, e.absolute_path)) or "<top>"}: {e.message}'
              for e in sorted(cls(schema).iter_errors(load_yaml(a.kasfile)), key=str)]
    print('\n'.join(errors) or f'valid against {schema.get("$id", schema_path)}')
    return 1 if errors else 0


def cmd_kas_load(a):
    import logging
    from kas.context import create_global_context
    from kas.includehandler import IncludeHandler
    from kas.kasusererror import KasUserError
    logging.basicConfig(level=logging.WARNING, format='%(message)s')
    create_global_context(argparse.Namespace(no_color=True))
    try:
        config, missing = IncludeHandler([os.path.abspath(a.kasfile)], use_lock=False).get_config()
    except KasUserError as e:
        return fail(f'kas rejects the file: {e}')
    errors = [f'includes from repos that are not defined: {missing}'] if missing else []
    for key in ['machine', 'target', 'distro']:
        if not config.get(key):
            errors.append(f'no {key}')
    print('\n'.join(errors) or f'kas loads it: machine {config["machine"]}, target {config["target"]}')
    return 1 if errors else 0


def cmd_kas_pins(a):
    cfg = load_yaml(a.kasfile)
    errors = []
    compat = (value(os.path.join(a.layer, 'conf', 'layer.conf'), 'LAYERSERIES_COMPAT_imx-rpmsg-rs') or '').split()
    for name, repo in (cfg.get('repos') or {}).items():
        repo = repo or {}
        if 'url' not in repo:
            # This checkout: its layers must exist here.
            for layer in (repo.get('layers') or {'.': None}):
                if not os.path.isfile(os.path.join(a.topdir, layer, 'conf', 'layer.conf')):
                    errors.append(f'{name}: layer {layer} has no conf/layer.conf in this checkout')
            continue
        if not re.fullmatch(r'[0-9a-f]{40}', str(repo.get('commit', ''))):
            errors.append(f'{name}: not pinned to a full commit id')
        if not repo.get('branch'):
            errors.append(f'{name}: no branch (kas checks that the commit is on it)')
        if name == 'openembedded-core' and repo.get('branch') not in compat:
            errors.append(f'openembedded-core branch {repo.get("branch")} is not in LAYERSERIES_COMPAT {compat}')
    # Every layer repository follows the release branch of openembedded-core
    # (bitbake has its own version branches): a "master" pin drifts away from
    # the release as soon as kas is asked to update.
    release = ((cfg.get('repos') or {}).get('openembedded-core') or {}).get('branch')
    for name, repo in (cfg.get('repos') or {}).items():
        repo = repo or {}
        if 'url' in repo and name != 'bitbake' and release and repo.get('branch') != release:
            errors.append(f'{name}: branch {repo.get("branch")}, but the release branch is {release}')
    if 'openembedded-core' not in (cfg.get('repos') or {}):
        errors.append('openembedded-core is not among the repos')
    print('\n'.join(errors) or 'every fetched repo is pinned to a commit on a named branch')
    return 1 if errors else 0


# --- firmware crates -----------------------------------------------------------

CRATES_IO = ('registry+https://github.com/rust-lang/crates.io-index', 'sparse+https://index.crates.io/')


def lock_crates(lock):
    """(name, version, sha256) of every crates.io package in a Cargo.lock."""
    import tomllib
    with open(lock, 'rb') as f:
        packages = tomllib.load(f).get('package', [])
    return sorted((p['name'], p['version'], p.get('checksum'))
                  for p in packages if p.get('source', '') in CRATES_IO)


def crates_inc_text(lock):
    crates = lock_crates(lock)
    out = ['# SPDX-License-Identifier: GPL-2.0',
           '# The crates.io packages of firmware/Cargo.lock, fetched by bitbake (crate://)',
           '# and checked against the lock file\'s own sha256. Generated, do not edit:',
           '#   python3 meta-imx-rpmsg-rs/scripts/layer_checks.py crates-inc firmware/Cargo.lock \\',
           '#       > meta-imx-rpmsg-rs/recipes-bsp/imx7-m4-firmware/imx7-m4-firmware-crates.inc',
           '# scripts/yocto-check.sh fails while this list and Cargo.lock differ.',
           '',
           'SRC_URI += "\\']
    out += [f'    crate://crates.io/{n}/{v} \\' for n, v, _ in crates]
    out += ['"', '']
    out += [f'SRC_URI[{n}-{v}.sha256sum] = "{c}"' for n, v, c in crates]
    return '\n'.join(out) + '\n'


def cmd_crates_inc(a):
    sys.stdout.write(crates_inc_text(a.lock))
    return 0


def cmd_crates(a):
    want = {(n, v): c for n, v, c in lock_crates(a.lock)}
    text = open(a.inc, encoding='utf-8').read()
    uris = set(re.findall(r'crate://crates\.io/([^/\s]+)/([^\s;\\"]+)', text))
    sums = {(m[1], m[2]): m[3] for m in re.finditer(
        r'^SRC_URI\[(\S+?)-(\d[^\]]*)\.sha256sum\]\s*=\s*"([0-9a-f]*)"', text, re.M)}
    errors = [f'{n} {v}: in Cargo.lock, not fetched by the recipe' for n, v in sorted(set(want) - uris)]
    errors += [f'{n} {v}: fetched by the recipe, not in Cargo.lock' for n, v in sorted(uris - set(want))]
    errors += [f'{n} {v}: sha256 {sums.get((n, v))} in the recipe, {c} in Cargo.lock'
               for (n, v), c in sorted(want.items()) if (n, v) in uris and sums.get((n, v)) != c]
    if not errors and text != crates_inc_text(a.lock):
        errors.append('same crates, but not the generated text')
    if errors:
        errors.append(f'regenerate {os.path.basename(a.inc)} (its header says how)')
    print('\n'.join(errors) or f'{len(want)} crates, each with its Cargo.lock checksum')
    return 1 if errors else 0


# --- bitbake configuration from a kas file --------------------------------------

def cmd_kas_conf(a):
    """Writes conf/bblayers.conf and conf/local.conf into BUILDDIR as kas
    would from the kas file, with each fetched repository taken from
    LAYERS/<repo name> and this checkout from TOPDIR."""
    import logging
    from kas.context import create_global_context
    from kas.includehandler import IncludeHandler
    logging.basicConfig(level=logging.WARNING, format='%(message)s')
    create_global_context(argparse.Namespace(no_color=True))
    config, _ = IncludeHandler([os.path.abspath(a.kasfile)], use_lock=False).get_config()
    layers = []
    for name, repo in sorted((config.get('repos') or {}).items()):
        repo = repo or {}
        root = os.path.join(a.layers, name) if 'url' in repo else a.topdir
        if not os.path.isdir(root):
            return fail(f'{name}: no {root}')
        for layer, state in sorted((repo.get('layers') or {'.': None}).items()):
            if state in ('disabled', 'excluded', 'n', 'no', 0, False):
                continue
            path = os.path.normpath(os.path.join(root, layer))
            if not os.path.isfile(os.path.join(path, 'conf', 'layer.conf')):
                return fail(f'{name}: {path} is no layer')
            layers.append(path)
    os.makedirs(os.path.join(a.builddir, 'conf'), exist_ok=True)
    with open(os.path.join(a.builddir, 'conf', 'bblayers.conf'), 'w', encoding='utf-8') as f:
        f.write(f'# From {os.path.basename(a.kasfile)}\nBBPATH = "${{TOPDIR}}"\nBBFILES ?= ""\n'
                'BBLAYERS = " \\\n' + ''.join(f'    {p} \\\n' for p in layers) + '"\n')
    with open(os.path.join(a.builddir, 'conf', 'local.conf'), 'w', encoding='utf-8') as f:
        f.write(f'# From {os.path.basename(a.kasfile)}\n')
        for key, block in sorted((config.get('local_conf_header') or {}).items()):
            f.write(f'# local_conf_header {key}\n{block}\n')
        f.write(f'MACHINE ??= "{config["machine"]}"\nDISTRO ??= "{config["distro"]}"\n')
    print(config['target'])
    return 0


# --- final values, from `bitbake -e <recipe>` -----------------------------------

def bb_env(path):
    """Variable -> value of a `bitbake -e` dump (functions left out)."""
    out = {}
    text = open(path, encoding='utf-8').read()
    for m in re.finditer(r'^(?:export )?([^\s=#()]+)="((?:[^"\\]|\\.)*)"$', text, re.M | re.S):
        out[m[1]] = m[2].replace('\\\n', ' ').replace('\\"', '"')
    return out


def recipe_file(layer, pn):
    for r in recipes(layer):
        if bpn_pv(r)[0] == pn and r.endswith('.bb'):
            return r
    return None


def cmd_bb_env(a):
    """Asserts the values that matter on the dumps in ENVDIR (<pn>.env, one
    per recipe of this layer plus make-mod-scripts)."""
    env = {}
    for name in os.listdir(a.envdir):
        if name.endswith('.env'):
            env[name[:-4]] = bb_env(os.path.join(a.envdir, name))
    errors = []

    def need(pn, var):
        return env.get(pn, {}).get(var)

    kern, mods, fw = 'linux-imx-rpmsg-rs', 'imx-rpmsg-rs-modules', 'imx7-m4-firmware'
    image = 'imx-rpmsg-rs-image'
    pins = shell_vars(os.path.join(a.topdir, 'scripts', 'versions.sh'))

    # The kernel: provider, version, fragments, source location.
    if need(image, 'PREFERRED_PROVIDER_virtual/kernel') != kern:
        errors.append(f'PREFERRED_PROVIDER_virtual/kernel is {need(image, "PREFERRED_PROVIDER_virtual/kernel")}, not {kern}')
    pv = need(kern, 'PV')
    if not pv or not pins.get('LINUX_SOURCE_VERSION', '').startswith(f'{pv}-'):
        errors.append(f'{kern}: PV {pv}, but scripts/versions.sh builds {pins.get("LINUX_SOURCE_VERSION")}')
    ksrc = (need(kern, 'SRC_URI') or '').split()
    for frag in ['imx7-rpmsg-rs.cfg', 'imx7s-warp.cfg']:
        if f'file://{frag}' not in ksrc:
            errors.append(f'{kern}: config fragment {frag} not in SRC_URI')
    remote = [u for u in ksrc if not u.startswith('file://')]
    kept = [u for u in remote if re.match(r'https://snapshot\.[^/]+/file/[0-9a-f]{40};', u)
            or re.match(r'https://cdn\.kernel\.org/pub/linux/kernel/v\d+\.x/linux-[0-9.]+\.tar\.xz', u)
            or (u.startswith('git://') and re.fullmatch(r'[0-9a-f]{40}', need(kern, 'SRCREV') or ''))]
    if len(remote) != 1 or not kept:
        errors.append(f'{kern}: kernel source {remote} is not from a location that keeps old '
                      'versions (a kernel.org release tarball, a git commit, or a file of '
                      "Debian's snapshot archive): a distribution pool drops it with the next upload")
    included = need(kern, 'BBINCLUDED') or ''
    if 'linux-yocto.inc' in included:
        errors.append(f'{kern}: requires linux-yocto.inc, which adds kernel-cache features this tree has no '
                      'metadata for and replaces the recipe\'s LICENSE and HOMEPAGE')
    # Every KERNEL_FEATURES entry of the kernel needs metadata it can find:
    # its own files (FILESPATH); "rust" is yocto-kernel-cache's kernel-rust.scc.
    fpath = [p for p in (need(kern, 'FILESPATH') or '').split(':') if p]
    for feat in (need(kern, 'KERNEL_FEATURES') or '').split():
        scc = 'features/kernel-rust/kernel-rust.scc' if feat == 'rust' else feat.split(':')[0]
        if not any(os.path.exists(os.path.join(p, scc)) for p in fpath):
            errors.append(f'{kern}: KERNEL_FEATURES has "{feat}", but no metadata for {scc} is in its '
                          'SRC_URI search path (do_kernel_metadata would stop)')
    if 'kernel-yocto-rust' not in (need(kern, '__inherit_cache') or need(kern, 'BBINCLUDED') or ''):
        errors.append(f'{kern}: does not inherit kernel-yocto-rust (rustc, bindgen, clang for the kernel build)')
    # The kernel's C with the cross GCC, its Rust with the native Rust tools
    # (Documentation/yocto.md says why).
    kcc = (need(kern, 'KERNEL_CC') or '').split()
    if not kcc or not kcc[0].endswith('-gcc'):
        errors.append(f'{kern}: KERNEL_CC is {kcc[:1]}, not the cross GCC the documentation describes')
    kdeps = (need(kern, 'DEPENDS') or '').split()
    for dep in ['rust-native', 'bindgen-cli-native', 'clang-native']:
        if dep not in kdeps:
            errors.append(f'{kern}: {dep} is not in DEPENDS (kernel-yocto-rust brings it)')
    dtbs = (need(kern, 'KERNEL_DEVICETREE') or '').split()
    if 'nxp/imx/imx7s-warp-rpmsg.dtb' not in dtbs:
        errors.append(f'{kern}: KERNEL_DEVICETREE {dtbs} lacks nxp/imx/imx7s-warp-rpmsg.dtb')

    # module-rust builds only where "rust" is in KERNEL_FEATURES.
    for pn in [mods, 'make-mod-scripts']:
        if 'rust' not in (need(pn, 'KERNEL_FEATURES') or '').split():
            errors.append(f'{pn}: "rust" is not in KERNEL_FEATURES, so module-rust skips '
                          'the Rust modules (nothing RPROVIDES imx-rpmsg-rs-modules)')

    # The firmware's crates are fetched by bitbake, each one of Cargo.lock.
    fsrc = (need(fw, 'SRC_URI') or '').split()
    have = {tuple(u.split(';')[0].split('/')[-2:]) for u in fsrc if u.startswith('crate://')}
    want = {(n, v) for n, v, _ in lock_crates(os.path.join(a.topdir, 'firmware', 'Cargo.lock'))}
    if want - have:
        errors.append(f'{fw}: {len(want - have)} crates of firmware/Cargo.lock are not crate:// entries of '
                      f'SRC_URI (e.g. {sorted(want - have)[0]}): cargo would download them itself')
    if need(fw, 'CARGO_DISABLE_BITBAKE_VENDORING') != '0':
        errors.append(f'{fw}: CARGO_DISABLE_BITBAKE_VENDORING is {need(fw, "CARGO_DISABLE_BITBAKE_VENDORING")}: '
                      'cargo would not use the crates bitbake fetched')

    # The boot partition.
    boot = (need(image, 'IMAGE_BOOT_FILES') or '').split()
    for f in ['imx7-m4-fw.bin', 'boot.scr', 'imx7s-warp-rpmsg.dtb']:
        if f not in boot:
            errors.append(f'{image}: IMAGE_BOOT_FILES {boot} lacks {f}')
    doc = open(os.path.join(a.topdir, 'Documentation', 'yocto.md'), encoding='utf-8').read()
    for t in (need(image, 'IMAGE_FSTYPES') or '').split():
        if f'{image}-{need(image, "MACHINE")}.rootfs.{t}' not in doc:
            errors.append(f'Documentation/yocto.md does not name the {t} image the build makes')

    # Final LICENSE: what each recipe itself says (nothing replaced it).
    for pn, e in sorted(env.items()):
        rf = recipe_file(a.layer, pn)
        if rf is None:
            continue
        own = value(rf, 'LICENSE')
        if e.get('LICENSE') != own:
            errors.append(f'{pn}: final LICENSE is "{e.get("LICENSE")}", the recipe says "{own}"')
    print('\n'.join(errors) or f'note: {len(env)} recipes: kernel {kern} {pv}, fragments, source, features, '
          'rust for module-rust, crates, boot files, device tree, licences')
    return 1 if errors else 0


def cmd_unpacked(a):
    """Checks that `bitbake -c unpack` put each local source where the recipe
    reads it (S and UNPACKDIR from ENVDIR/<pn>.env)."""
    errors, count = [], 0
    expect = {
        'imx7-m4-boot-script': ['${S}/boot.cmd'],
        'imx-rpmsg-rs-modules': ['${S}/Kbuild', '${S}/drivers', '${S}/rust/bindgen.mk'],
        'imx7-m4-firmware': ['${S}/Cargo.toml', '${S}/Cargo.lock', '${S}/LICENSE.md',
                             '${S}/.cargo/config.toml', '${S}/apps', '${S}/boards', '${S}/crates'],
    }
    for pn, paths in expect.items():
        e = bb_env(os.path.join(a.envdir, f'{pn}.env'))
        for p in paths:
            path = p.replace('${S}', e['S'])
            count += 1
            if not os.path.exists(path):
                errors.append(f'{pn}: {path} is missing after do_unpack')
    e = bb_env(os.path.join(a.envdir, 'imx7-m4-firmware.env'))
    vendor = os.path.join(e['UNPACKDIR'], 'cargo_home', 'bitbake')
    crates = lock_crates(os.path.join(a.topdir, 'firmware', 'Cargo.lock'))
    absent = [f'{n} {v}' for n, v, _ in crates
              if not os.path.isfile(os.path.join(vendor, f'{n}-{v}', '.cargo-checksum.json'))]
    count += len(crates)
    if absent:
        errors.append(f'imx7-m4-firmware: {len(absent)} of the {len(crates)} crates of Cargo.lock '
                      f'(e.g. {absent[0]}) are not unpacked in {vendor}, where cargo looks for them')
    print('\n'.join(errors) or f'note: {count} sources where the recipes read them')
    return 1 if errors else 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest='cmd', required=True)

    def add(name, fn, *args):
        s = sub.add_parser(name)
        for arg in args:
            s.add_argument(arg)
        s.set_defaults(fn=fn)

    add('layer-conf', cmd_layer_conf, 'layer')
    add('layout', cmd_layout, 'layer')
    add('src-uri', cmd_src_uri, 'layer', 'topdir')
    add('lic-chksum', cmd_lic_chksum, 'layer', 'topdir')
    add('kernel-fragment', cmd_kernel_fragment, 'fragment', 'project_config')
    add('kernel-source', cmd_kernel_source, 'recipe', 'versions')
    add('kernel-patches', cmd_kernel_patches, 'recipe', 'patches', 'topdir')
    add('firmware-version', cmd_firmware_version, 'recipe', 'cargo_toml')
    add('boot-script', cmd_boot_script, 'recipe', 'bootcmd')
    add('module-names', cmd_module_names, 'recipe', 'topdir')
    add('suppressions', cmd_suppressions, 'layer')
    add('kas-schema', cmd_kas_schema, 'kasfile')
    add('kas-load', cmd_kas_load, 'kasfile')
    add('kas-pins', cmd_kas_pins, 'kasfile', 'layer', 'topdir')
    add('crates-inc', cmd_crates_inc, 'lock')
    add('crates', cmd_crates, 'inc', 'lock')
    add('kas-conf', cmd_kas_conf, 'kasfile', 'layers', 'topdir', 'builddir')
    add('bb-env', cmd_bb_env, 'envdir', 'layer', 'topdir')
    add('unpacked', cmd_unpacked, 'envdir', 'topdir')
    a = p.parse_args()
    return a.fn(a)


if __name__ == '__main__':
    sys.exit(main())
