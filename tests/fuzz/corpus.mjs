// Seeds and dictionaries of the fuzz targets (docs/robustness.md, "Fuzzing").
//   node tests/fuzz/corpus.mjs seeds CAPTURE_DIR OUT_DIR   requests the black-box tests sent
//        (USERD_TEST_CAPTURE) -> OUT_DIR/<target>/<sha1>, plus one request per route of each face
//   node tests/fuzz/corpus.mjs dicts                        tests/fuzz/<target>.dict from the sources
// scripts/fuzz_corpus.sh runs both and minimises the seeds into tests/fuzz/corpus/<target>/.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const src = (f) => fs.readFileSync(path.join(REPO, 'src', f), 'utf8');

// ---------------------------------------------------------------- what the sources say

const FACES = { im: 'im/face.c', live: 'live/face.c', app: 'app/face.c' };
const BITS = { M_GET: ['GET'], M_POST: ['POST'], M_PUT: ['PUT'], M_DELETE: ['DELETE'], GP: ['GET', 'POST'] };

/** The route table of a face: [{methods, pattern, flags}]. */
function routes(face) {
  const out = [];
  const re = /ROUTE(?:_DATA)?\(([^,]+),\s*"([^"]+)",\s*\w+,\s*([^,)]+)/g;
  for (const m of src(FACES[face]).matchAll(re)) {
    const methods = m[1].split('|').flatMap((b) => BITS[b.trim()] || []);
    out.push({ methods, pattern: m[2], flags: m[3] });
  }
  return out;
}

/** Every literal key a face or the core reads from JSON, the query or the headers. */
function keys() {
  const set = new Set();
  const re = /\b(?:jf_str|jf_int|jf_bool|im_j_text|im_j_user_id|app_text_or_int|str_field|json_object_get|im_q_text|im_q_int|im_q_bool|http_query|http_query_all|http_header|http_cookie)\([^"()]*"([^"]+)"/g;
  for (const dir of ['im', 'live', 'app', 'http', 'core']) {
    for (const f of fs.readdirSync(path.join(REPO, 'src', dir))) {
      if (f.endsWith('.c')) for (const m of src(`${dir}/${f}`).matchAll(re)) set.add(m[1]);
    }
  }
  for (const m of src('im/face.c').matchAll(/\{"(\w+)", "(\w+)"(?:, "(\w+)")?/g)) m.slice(1).forEach((k) => k && set.add(k));
  return [...set].sort();
}

/** The settings of config.def: [{section, key, type, min, max}]. */
function settings() {
  const re = /^S\((\w+), (\w+), (\w+), "[^"]*", (-?\d+), (-?\d+)/gm;
  return [...src('base/config.def').matchAll(re)].map((m) => ({ section: m[1], key: m[2], type: m[3], min: m[4], max: m[5] }));
}

const PLACEHOLDERS = ['$app', '$app2', '$tok', '$adm', '$adm2', '$sid', '$uid', '$uid2', '$bob', '$ak', '$vt', '$vtr'];
const PARAM = { ':id': { live: 'lu1', app: '$uid' }, ':version': '0', ':region': '86', ':phone': '13900000001', ':file': 'x.png' };
const IM_ADMIN_PATHS = new Set(routes('im').filter((r) => r.flags.includes('IM_ADMIN')).map((r) => r.pattern));

// ---------------------------------------------------------------- seeds

const seeds = {}; // target -> Map(sha1 -> Buffer)
function seed(target, data) {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (!b.length || b.length > 16384) return;
  (seeds[target] ??= new Map()).set(crypto.createHash('sha1').update(b).digest('hex'), b);
}

const DROP = new Set(['host', 'content-length', 'connection', 'access-token', 'app_id', 'authorization', 'cookie']);

/** A captured request -> the request target's text: face, credential, "METHOD TARGET", headers, body. */
function requestSeed(r) {
  const h = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const p = r.path.split('?')[0];
  let cred = '0';
  if (r.face === 'im') {
    if (h['access-token']) cred = IM_ADMIN_PATHS.has(p) ? (h.user_id ? '3' : '2') : h.user_id ? '3' : '1';
    else if (!h.app_id) cred = '7';
  } else if (r.face === 'live') {
    if (h.authorization) cred = h.authorization.startsWith('QBox') ? '2' : '1';
  } else if (h.cookie) cred = '1';
  const lines = Object.entries(r.headers)
    .filter(([k]) => !DROP.has(k.toLowerCase()) && !(r.face === 'im' && k.toLowerCase() === 'user_id' && cred === '3'))
    .map(([k, v]) => `${k}: ${v}`);
  const head = `${r.face[0]}${cred}${r.method} ${r.path}\n${lines.join('\n')}${lines.length ? '\n' : ''}\n`;
  return Buffer.concat([Buffer.from(head), Buffer.from(r.body, 'base64')]);
}

/** A captured live request -> the qiniu_auth target's input. */
function qiniuSeed(r) {
  const h = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const [p, q = ''] = r.path.split(/\?(.*)/s);
  const auth = h.authorization || '';
  const flags = (h['content-type'] != null ? 1 : 0) | (auth.startsWith('QBox') ? 2 : 0) | 4;
  const xq = Object.entries(h).filter(([k]) => k.startsWith('x-qiniu-')).map(([k, v]) => `${k}: ${v}`).join('\r');
  const fields = [auth, r.method, p, q, h.host || '127.0.0.1', h['content-type'] || '', xq].join('\n');
  return Buffer.concat([Buffer.from([flags]), Buffer.from(fields + '\n'), Buffer.from(r.body, 'base64')]);
}

/** Strings worth giving the small parsers: a body's string values, a path's segments. */
function smallSeeds(r) {
  const out = r.path.split(/[/?&=]/).filter(Boolean).map(decodeURIComponentSafe);
  let o;
  try { o = JSON.parse(Buffer.from(r.body, 'base64').toString('utf8')); } catch { return out; }
  const walk = (v) => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number') out.push(String(v));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(o);
  if (o && typeof o === 'object' && o.phone != null) out.push(`${o.region ?? ''}\n${o.phone}`);
  return out;
}

function decodeURIComponentSafe(s) { try { return decodeURIComponent(s); } catch { return s; } }

/** A captured server start -> the config target's input (file 0x1e environment 0x1e flags). */
function configSeed(r) {
  const file = Object.values(r.files)[0] || '';
  const env = Object.entries(r.env).map(([k, v]) => `${k}=${v}`).join('\n');
  const flags = r.args.filter((a, i, all) => a !== '--config' && all[i - 1] !== '--config' && !a.startsWith('--config='));
  return `${file}\x1e${env}\x1e${flags.join('\n')}`;
}

/** One request per route and method of each face, with the credential it needs and an empty object. */
function routeSeeds() {
  for (const face of Object.keys(FACES)) {
    for (const r of routes(face)) {
      const p = r.pattern.replace(/:\w+/g, (m) => (typeof PARAM[m] === 'object' ? PARAM[m][face] : PARAM[m]));
      const open = /IM_OPEN|APP_OPEN/.test(r.flags);
      const cred = face === 'im' ? (IM_ADMIN_PATHS.has(r.pattern) ? '3' : open ? '0' : '1') : face === 'live' ? '1' : open ? '0' : '1';
      for (const m of r.methods) {
        const body = m === 'GET' ? '' : face === 'live' && r.pattern.includes('batch') ? '[{"user_id":"lu2"}]' : '{}';
        const ct = body ? 'Content-Type: application/json\n' : '';
        seed('request', `${face[0]}${cred}${m} ${p}\n${ct}\n${body}`);
      }
    }
  }
  // Flows that need a credential the captured requests could not carry (placeholders: request.c).
  const json = 'Content-Type: application/json\n\n';
  for (const [fc, line, body] of [
    ['a0', 'POST /user/register', '{"nickname":"eve","password":"secret123","verification_token":"$vt"}'],
    ['a0', 'POST /user/reset_password', '{"password":"newpass12","verification_token":"$vtr"}'],
    ['a0', 'POST /user/verify_code', '{"region":"86","phone":"13900000001","code":"999999"}'],
    ['a0', 'POST /user/login', '{"region":"86","phone":"13900000001","password":"secret123"}'],
    ['a1', 'POST /user/add_to_blacklist', '{"friendId":"$uid2"}'],
    ['a1', 'POST /user/remove_from_blacklist', '{"friendId":"$uid2"}'],
    ['a1', 'POST /user/change_password', '{"oldPassword":"secret123","newPassword":"secret456"}'],
    ['i0', 'POST /token/login', '{"login_name":"13900000001","password":"secret123"}'],
    ['i0', 'POST /token/id', '{"user_id":$bob,"password":"secret123"}'],
    ['i1', 'POST /user/change_password', '{"old_password":"secret123","new_password":"secret456"}'],
    ['i2', 'POST /user/change_password_admin', '{"user_id":$bob,"password":"secret456"}'],
    ['l1', 'PUT /server/user/lu1', '{"nick":"n","avatar":"https://x.example/b.png","extends":{"k":"v"}}'],
  ]) seed('request', `${fc}${line}\n${json}${body}`);
  for (const line of ['a1GET /user/$uid2', 'a1GET /user/batch?id=$uid&id=$uid2', 'a1GET /user/sync/0',
    'a0GET /user/sms_img_code/x.png', 'l1GET /server/user/infos?user_ids=lu1&user_ids=lu2', 'i3GET /user/profile',
    'i2GET /user/list?page_num=1&page_size=10']) seed('request', `${line}\n\n`);
  seed('request', 'i0GET /healthz\n\n');
  seed('request', 'I0GET /user/profile HTTP/1.1\r\nHost: x\r\napp_id: $app\r\naccess-token: $tok\r\n\r\n');
}

function makeSeeds(captureDir, outDir) {
  let n = 0;
  for (const f of fs.readdirSync(captureDir)) {
    let r;
    try { r = JSON.parse(fs.readFileSync(path.join(captureDir, f), 'utf8')); } catch { continue; }
    n++;
    if (r.kind === 'serve') { seed('config', configSeed(r)); continue; }
    if (r.kind === 'raw') {
      seed('request', Buffer.concat([Buffer.from(`${r.face[0].toUpperCase()}0`), Buffer.from(r.data, 'base64')]));
      continue;
    }
    seed('request', requestSeed(r));
    if (r.face === 'live') seed('qiniu_auth', qiniuSeed(r));
    const body = Buffer.from(r.body, 'base64');
    if (body.length) for (const sel of [0x25, 0xa6]) seed('json_fields', Buffer.concat([Buffer.from([sel]), body]));
    for (const s of smallSeeds(r)) seed('small_parsers', s);
  }
  routeSeeds();
  for (const [target, m] of Object.entries(seeds)) {
    fs.mkdirSync(path.join(outDir, target), { recursive: true });
    for (const [h, b] of m) fs.writeFileSync(path.join(outDir, target, h), b);
    console.log(`fuzz seeds: ${target}: ${m.size} distinct inputs`);
  }
  console.log(`fuzz seeds: from ${n} captured requests and starts`);
}

// ---------------------------------------------------------------- dictionaries

function dictLine(s) {
  let out = '';
  for (const b of Buffer.from(s)) out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return `"${out}"`;
}

function writeDict(target, header, words) {
  const uniq = [...new Set(words.filter((w) => w.length))];
  fs.writeFileSync(path.join(REPO, 'tests/fuzz', `${target}.dict`),
    `# ${header}\n# Made by \`node tests/fuzz/corpus.mjs dicts\` (scripts/fuzz_corpus.sh) from the sources: do not edit.\n` +
    uniq.map(dictLine).join('\n') + '\n');
  console.log(`fuzz dict: ${target}: ${uniq.length} entries`);
}

function makeDicts() {
  const k = keys();
  const paths = Object.keys(FACES).flatMap((f) => routes(f).map((r) => r.pattern));
  const pathParts = [...new Set(paths.flatMap((p) => p.split('/').filter((s) => s && !s.startsWith(':')).map((s) => `/${s}`)))];
  const json = ['{', '}', '[', ']', ':', ',', '""', 'true', 'false', 'null', '\\u0000', '\\ud800', '\\u00e9', '0', '-1',
    '1e3', '0.5', '9007199254740991', '9007199254740992', '18446744073709551616', '1e309'];
  const headers = ['app_id', 'access-token', 'user_id', 'group_id', 'Content-Type', 'Content-Length', 'Transfer-Encoding',
    'Authorization', 'Cookie', 'Host', 'Connection', 'Expect', 'X-Qiniu-', 'X-Qiniu-Date', 'X-Reqid', 'X-Forwarded-For',
    'User-Agent', 'rong_auth_cookie'];
  const values = ['application/json', 'application/x-www-form-urlencoded', 'application/octet-stream', 'text/plain',
    'chunked', 'gzip', 'keep-alive', 'close', '100-continue', 'Qiniu ', 'QBox ', '86', '+86', '1', '852', '13900000001',
    '13900000009', '999999', 'secret123', 'alice', 'bob', 'carol', 'lu1', 'https://', 'http://', 'x.example', 'true',
    'false', '0', '-1', '2147483648', '9007199254740992'];
  writeDict('request', 'request: methods, route paths, headers, placeholders, JSON keys and values',
    ['GET ', 'POST ', 'PUT ', 'DELETE ', 'HEAD ', 'OPTIONS ', 'PATCH ', ...paths, ...pathParts, '?', '&', '=', '%00', '%',
      ...headers.map((h) => `${h}: `), ...headers, ...PLACEHOLDERS, ...k.map((x) => `"${x}":`), ...k, ...values, ...json,
      '\n', '\r\n', '\n\n']);
  writeDict('qiniu_auth', 'qiniu_auth: schemes, methods, headers, content types',
    ['Qiniu ', 'QBox ', ':', '=', 'GET', 'POST', 'PUT', 'DELETE', '/server/user/', '?', '&', 'X-Qiniu-', 'x-qiniu-',
      'X-Qiniu-Date: ', 'application/json', 'application/x-www-form-urlencoded', 'application/octet-stream', '127.0.0.1',
      '\n', '\r', '\x00', '_', '-']);
  writeDict('json_fields', 'json_fields: JSON keys the faces read, JSON syntax, edge values',
    [...k.map((x) => `"${x}"`), ...json, '"list":[', '"extends":{', '{"', '":"', '","', '\\n', '\\t', '\\"', '\\\\',
      '\\u001f', '\\u007f', '\\udc00', '\xc3\xa9', '\xe4\xb8\xad', '\xf0\x9f\x98\x80', 'https://x.example/a.png', '86',
      '13900000001']);
  const s = settings();
  writeDict('config', 'config: sections, keys, environment names, flags, values',
    [...new Set(s.map((x) => `[${x.section}]`)), ...s.map((x) => `${x.key} = `), ...s.map((x) => `--${x.section}.${x.key}=`),
      ...s.map((x) => `USERD_${x.section}_${x.key}=`.toUpperCase()), ...s.flatMap((x) => [x.min, x.max]), '\x1e', '\n', '#',
      ';', '=', 'true', 'false', 'yes', 'off', 'sqlite:', 'postgresql://', '127.0.0.1:8701', 'off', 'debug', 'error',
      '9223372036854775807', '9223372036854775808', '-9223372036854775809', ' ', '\t']);
  writeDict('small_parsers', 'small_parsers: phones, regions, URLs, ids, versions, escapes',
    ['86', '1', '44', '852', '886', '\n', '+', '13', '139', '0', '00000', 'http://', 'https://', 'HTTPS://', '/', '?', '#',
      '@', '"', "'", '<', '>', '\\', '`', ' ', '&amp;', '&lt;', '&#39;', '&', '-', '_', '.', '..',
      '9007199254740991', '9007199254740992', '-9007199254740991', 'zzzzzzzzz', '1000000000', 'ZZZZZZZZ',
      '00000000-0000-0000-0000-000000000000', '\xc3\xa9', '\xe4\xb8\xad', '\x7f', '\x00']);
}

const [cmd, a, b] = process.argv.slice(2);
if (cmd === 'seeds' && a && b) makeSeeds(a, b);
else if (cmd === 'dicts') makeDicts();
else {
  console.error('usage: node tests/fuzz/corpus.mjs seeds CAPTURE_DIR OUT_DIR | dicts');
  process.exit(2);
}
