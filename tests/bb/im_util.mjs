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

/** The settings object of the document, its keys in the document's order, with JSON types. */
export function assertSettingsShape(d, userId) {
  assert.deepEqual(Object.keys(d), SETTINGS_KEYS);
  assert.equal(d.user_id, userId);
  assert.equal(typeof d.id, 'number');
  for (const k of ['auth_mode', 'no_push_start_hour', 'no_push_end_hour', 'silence_start_time', 'silence_end_time'])
    assert.equal(typeof d[k], 'number', k);
  for (const k of ['auto_download', 'group_confirm', 'no_push', 'no_push_detail', 'no_sounds', 'vibratory'])
    assert.equal(typeof d[k], 'boolean', k);
  for (const k of ['auth_question', 'auth_answer', 'push_nick_name', 'push_token'])
    assert.equal(typeof d[k], 'string', k);
}

/** A new user's settings: the documented defaults. */
export const defaultSettings = (id) => ({
  id, user_id: id, auth_mode: 0, auth_question: '', auth_answer: '', auto_download: true,
  group_confirm: true, no_push: false, no_push_detail: false, no_push_start_hour: 0, no_push_end_hour: 0,
  no_sounds: false, push_nick_name: '', push_token: '', silence_start_time: 0, silence_end_time: 0, vibratory: true,
});

/** A new user's profile. */
export const newProfile = (id, username) => ({
  user_id: id, username, avatar: '', description: '', mobile: '', email: '', nick_name: '', public_info: '', private_info: '',
});

/** The profile object of the document, its keys in the document's order, with JSON types. */
export function assertProfileShape(d) {
  assert.deepEqual(Object.keys(d), PROFILE_KEYS);
  assert.equal(typeof d.user_id, 'number');
  for (const k of PROFILE_KEYS.slice(1)) assert.equal(typeof d[k], 'string', k);
}

/** The IM envelope's keys, in the document's order. */
export const ENVELOPE = ['code', 'message', 'data'];

/** A business error: HTTP 200, exactly {code, message, data:null}, this code, a message. */
export function assertError(r, code, messageRe) {
  assert.equal(r.status, 200, `HTTP status for code ${code}: ${r.text}`);
  assert.deepEqual(Object.keys(r.json ?? {}), ENVELOPE, r.text);
  assert.equal(r.json.code, code, r.text);
  assert.equal(typeof r.json.message, 'string');
  assert.ok(r.json.message.length > 0);
  if (messageRe) assert.match(r.json.message, messageRe);
  assert.equal(r.json.data, null);
}

/** An HTTP-level error (404, 405, 413, 503): that status and the same code in the IM envelope. */
export function assertHttpError(r, status, messageRe) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(Object.keys(r.json ?? {}), ENVELOPE, r.text);
  assert.equal(r.json.code, status, r.text);
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

/** Success: HTTP 200, exactly {code:200, message:'', data}; returns data. */
export function assertOk(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json ?? {}), ENVELOPE, r.text);
  assert.equal(r.json.code, 200, r.text);
  assert.equal(r.json.message, '');
  return r.json.data;
}

/** A token answer of /token/*: exactly {token, user_id, expire}, for this user, expiring later. */
export function assertToken(r, userId) {
  const d = assertOk(r);
  assert.deepEqual(Object.keys(d).sort(), ['expire', 'token', 'user_id']);
  assert.equal(typeof d.token, 'string');
  assert.ok(d.token.length >= 32, d.token);
  if (userId !== undefined) assert.equal(d.user_id, userId);
  assert.ok(Number.isSafeInteger(d.expire) && d.expire > Date.now(), String(d.expire));
  return d;
}

/**
 * GET /user/profile with client c answers the profile of user u ({id, name}):
 * the token works and is u's. Returns the profile.
 */
export async function assertMe(c, u) {
  const d = assertOk(await c.req('GET', '/user/profile'));
  assertProfileShape(d);
  assert.equal(d.user_id, u.id);
  assert.equal(d.username, u.name);
  return d;
}

/** The token of client c no longer works (10008). */
export async function assertTokenDead(c) {
  assertError(await c.req('GET', '/user/profile'), 10008);
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
