// Helpers shared by the IM face's black-box tests (tests/bb/im_*.test.mjs).
import assert from 'node:assert/strict';
import { imClient } from './lib/harness.mjs';

export const SETTINGS_KEYS = [
  'id', 'user_id', 'auth_mode', 'auth_question', 'auth_answer', 'auto_download', 'group_confirm',
  'no_push', 'no_push_detail', 'no_push_start_hour', 'no_push_end_hour', 'no_sounds',
  'push_nick_name', 'push_token', 'silence_start_time', 'silence_end_time', 'vibratory',
];
export const PROFILE_KEYS = [
  'user_id', 'username', 'avatar', 'description', 'mobile', 'email', 'nick_name', 'public_info', 'private_info',
];

/** The settings object of the document, field by field with JSON types. */
export function assertSettingsShape(d, userId) {
  assert.deepEqual(Object.keys(d).sort(), [...SETTINGS_KEYS].sort());
  assert.equal(d.user_id, userId);
  assert.equal(typeof d.id, 'number');
  for (const k of ['auth_mode', 'no_push_start_hour', 'no_push_end_hour', 'silence_start_time', 'silence_end_time'])
    assert.equal(typeof d[k], 'number', k);
  for (const k of ['auto_download', 'group_confirm', 'no_push', 'no_push_detail', 'no_sounds', 'vibratory'])
    assert.equal(typeof d[k], 'boolean', k);
  for (const k of ['auth_question', 'auth_answer', 'push_nick_name', 'push_token'])
    assert.equal(typeof d[k], 'string', k);
}

/** The profile object of the document, with JSON types. */
export function assertProfileShape(d) {
  assert.deepEqual(Object.keys(d).sort(), [...PROFILE_KEYS].sort());
  assert.equal(typeof d.user_id, 'number');
  for (const k of PROFILE_KEYS.slice(1)) assert.equal(typeof d[k], 'string', k);
}

/** A business error: HTTP 200, this code, a message, data null. */
export function assertError(r, code, messageRe) {
  assert.equal(r.status, 200, `HTTP status for code ${code}: ${r.text}`);
  assert.equal(r.json?.code, code, r.text);
  assert.equal(typeof r.json.message, 'string');
  assert.ok(r.json.message.length > 0);
  if (messageRe) assert.match(r.json.message, messageRe);
  assert.equal(r.json.data, null);
}

/** Success with data true (the setters). */
export function assertTrue(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { code: 200, message: '', data: true }, r.text);
}

/** Success with some data; returns it. */
export function assertOk(r) {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json?.code, 200, r.text);
  assert.equal(r.json.message, '');
  return r.json.data;
}

let seq = 0;
/** A fresh username with this prefix. */
export const uname = (prefix = 'u') => `${prefix}_${process.pid % 10000}_${++seq}`;

/**
 * Registers a user and signs in (with a device when guid is given).
 * @returns {Promise<{id:number, name:string, password:string, token:string, c:object}>} c: an imClient with the token
 */
export async function newUser(srv, app, { name = uname(), password = 'secret123', guid, ua } = {}) {
  const open = imClient(srv, app);
  try {
    const reg = await open.req('POST', '/user/register/v2', { body: { username: name, password } });
    const d = assertOk(reg);
    const token = await login(srv, app, name, password, { guid, ua });
    return { id: d.user_id, name, password, token, c: imClient(srv, app, token) };
  } finally { open.close(); }
}

/** POST /token/user; returns the token. */
export async function login(srv, app, name, password, { guid, ua } = {}) {
  const open = imClient(srv, app);
  try {
    const body = { name, password };
    if (guid) body.device_guid = guid;
    const t = await open.req('POST', '/token/user', { body, headers: ua ? { 'User-Agent': ua } : {} });
    return assertOk(t).token;
  } finally { open.close(); }
}

/** An admin client of the app, acting as user id (when given) through the user_id header. */
export function adminAs(srv, app, id) {
  const c = imClient(srv, app, app.admin_token);
  if (id === undefined) return c;
  return {
    close: c.close,
    req: (m, p, o = {}) => c.req(m, p, { ...o, headers: { user_id: String(id), ...o.headers } }),
  };
}
