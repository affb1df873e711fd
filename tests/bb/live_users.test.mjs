// Live face: the seven /server/user endpoints, success shapes and error
// paths. Every request is signed by the official Node SDK (harness liveClient).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, liveClient, imClient } from './lib/harness.mjs';
import { assertOk as imOk, assertError as imError, defaultSettings } from './im_util.mjs';

const ENVELOPE_KEYS = ['request_id', 'code', 'message', 'data'];
const INFO_KEYS = ['user_id', 'nick', 'avatar', 'im_userid', 'extends'];
const PROFILE_KEYS = ['user_id', 'nick', 'avatar', 'im_userid', 'im_username', 'im_password', 'extends'];

function assertOk(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ENVELOPE_KEYS);
  assert.equal(typeof r.json.request_id, 'string');
  assert.ok(r.json.request_id.length > 0);
  assert.equal(r.json.code, 0);
  assert.equal(r.json.message, 'success');
  assert.equal(r.headers['x-reqid'], r.json.request_id);
  return r.json.data;
}

/** A success with data null (register, PUT). */
const assertDone = (r) => assert.equal(assertOk(r), null);

function assertError(r, status, code = status, re) {
  assert.equal(r.status, status, r.text);
  assert.deepEqual(Object.keys(r.json), ENVELOPE_KEYS);
  assert.equal(r.json.code, code, r.text);
  assert.equal(typeof r.json.message, 'string');
  assert.ok(r.json.message.length > 0);
  if (re) assert.match(r.json.message, re);
  assert.equal(r.json.data, null);
}

/** An info object: exact keys in the document's order, JSON types. */
function assertInfo(d, want) {
  assert.deepEqual(Object.keys(d), INFO_KEYS);
  assert.equal(typeof d.im_userid, 'number');
  assert.ok(Number.isSafeInteger(d.im_userid) && d.im_userid > 0);
  for (const [k, v] of Object.entries(want)) assert.deepEqual(d[k], v, k);
}

function assertProfile(d, want) {
  assert.deepEqual(Object.keys(d), PROFILE_KEYS);
  assert.equal(typeof d.im_userid, 'number');
  assert.equal(typeof d.im_username, 'string');
  assert.match(d.im_password, /^[0-9a-f]{16}$/);
  for (const [k, v] of Object.entries(want)) assert.deepEqual(d[k], v, k);
}

describe('live face: users', () => {
  let srv, live;
  const info = (id) => live.req('GET', `/server/user/info/${id}`);
  const register = (body) => live.req('POST', '/server/user/register', { body });

  before(async () => {
    srv = await startUserd();
    live = liveClient(srv, srv.defaultApp);
  });
  after(async () => { live.close(); await srv.stop(); });

  test('register: the documented example, then info and profile show it', async () => {
    const body = { user_id: 'user-1', nick: '用户', avatar: 'https://xxx.com/avator.png', extends: { age: '18' } };
    assert.equal(assertOk(await register(body)), null);
    const i = assertOk(await info('user-1'));
    assertInfo(i, { user_id: 'user-1', nick: '用户', avatar: 'https://xxx.com/avator.png', extends: { age: '18' } });
    const p = assertOk(await live.req('GET', '/server/user/profile/user-1'));
    assertProfile(p, { user_id: 'user-1', nick: '用户', avatar: 'https://xxx.com/avator.png', extends: { age: '18' },
      im_userid: i.im_userid });
    assert.match(p.im_username, /^qluser_1_[0-9a-f]{10}$/);
    // Stable: the same credentials on every read.
    const again = assertOk(await live.req('GET', '/server/user/profile/user-1'));
    assert.deepEqual(again, p);
  });

  test('register: only user_id is required; absent fields read as empty', async () => {
    assertDone(await register({ user_id: 'bare' }));
    assertInfo(assertOk(await info('bare')), { user_id: 'bare', nick: '', avatar: '', extends: {} });
    assertDone(await register({ user_id: 'nulls', nick: null, avatar: null, extends: null, unknown_field: 1 }));
    assertInfo(assertOk(await info('nulls')), { user_id: 'nulls', nick: '', avatar: '', extends: {} });
  });

  test('register: IM usernames are "ql" + user_id, with a hash suffix for other characters', async () => {
    for (const id of ['user_1', 'user.1', 'a@b.c', 'X-Y', '12345']) assertDone(await register({ user_id: id }));
    const names = {};
    for (const id of ['user_1', 'user.1', 'a@b.c', 'X-Y', '12345', 'user-1'])
      names[id] = assertOk(await live.req('GET', `/server/user/profile/${id}`)).im_username;
    assert.equal(names.user_1, 'qluser_1');
    assert.equal(names['12345'], 'ql12345');
    assert.match(names['user.1'], /^qluser_1_[0-9a-f]{10}$/);
    assert.match(names['a@b.c'], /^qla_b_c_[0-9a-f]{10}$/);
    assert.match(names['X-Y'], /^qlX_Y_[0-9a-f]{10}$/);
    assert.equal(new Set(Object.values(names)).size, 6);
  });

  test('register: an existing user_id is code 600 (HTTP 409) and changes nothing', async () => {
    assertDone(await register({ user_id: 'dup', nick: 'first' }));
    assertError(await register({ user_id: 'dup', nick: 'second' }), 409, 600, /already exists/);
    assert.equal(assertOk(await info('dup')).nick, 'first');
  });

  test('register: an IM username already held by an IM user fails cleanly', async () => {
    const im = imClient(srv, srv.defaultApp);
    const r = await im.req('POST', '/user/register/v2', { body: { username: 'qlclash', password: 'secret123' } });
    assert.deepEqual(imOk(r), defaultSettings(r.json.data.user_id));
    assertError(await register({ user_id: 'clash' }), 409, 600, /IM username/);
    assertError(await info('clash'), 404);
    // the IM user is untouched
    imOk(await im.req('POST', '/token/user', { body: { name: 'qlclash', password: 'secret123' } }));
    imError(await im.req('POST', '/token/user', { body: { name: 'qlclash', password: 'wrong-pass' } }), 10005);
    im.close();
  });

  test('register: invalid input is 400 and creates nothing', async () => {
    const bad = [
      {},
      { user_id: '' },
      { user_id: 42 },
      { user_id: 'a'.repeat(65) },
      { user_id: 'has space' },
      { user_id: 'slash/id' },
      { user_id: '..' },
      { user_id: 'ünïcode' },
      { user_id: 'v1', nick: 'n'.repeat(65) },
      { user_id: 'v2', nick: '字'.repeat(65) },
      { user_id: 'v3', nick: 'tab\there' },
      { user_id: 'v4', nick: 7 },
      { user_id: 'v5', avatar: 'http;//xxx.png' },
      { user_id: 'v6', avatar: 'ftp://x.com/a.png' },
      { user_id: 'v7', avatar: 'https://x.com/a b.png' },
      { user_id: 'v8', avatar: 'https://' + 'a'.repeat(1020) },
      { user_id: 'v9', extends: ['a'] },
      { user_id: 'v10', extends: 'age=18' },
      { user_id: 'v11', extends: { age: 18 } },
      { user_id: 'v12', extends: { age: null } },
      { user_id: 'v13', extends: { '': 'x' } },
      { user_id: 'v14', extends: { ['k'.repeat(65)]: 'x' } },
      { user_id: 'v15', extends: { k: 'v'.repeat(1025) } },
      { user_id: 'v16', extends: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
      { user_id: 'v17', extends: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(1000)])) },
    ];
    for (const body of bad) assertError(await register(body), 400, 400);
    for (const id of ['v1', 'v2', 'v3', 'v4', 'v5', 'v9', 'v16', 'v17']) assertError(await info(id), 404);
    assertError(await live.req('POST', '/server/user/register', { body: '{"user_id":' }), 400);
    assertError(await live.req('POST', '/server/user/register', { body: '' }), 400);
    assertError(await live.req('POST', '/server/user/register', { body: '[{"user_id":"arr"}]' }), 400);
    assertError(await live.req('POST', '/server/user/register', { body: '{"user_id":"d","user_id":"e"}' }), 400);
  });

  test('register: the limits themselves are accepted', async () => {
    const ext = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`.padEnd(64, 'x'), 'v'.repeat(60)]));
    const body = { user_id: 'L'.repeat(64), nick: '字'.repeat(64), avatar: 'http://' + 'a'.repeat(1017), extends: ext };
    assertDone(await register(body));
    assertInfo(assertOk(await info('L'.repeat(64))), { user_id: 'L'.repeat(64), nick: '字'.repeat(64), avatar: body.avatar, extends: ext });
  });

  test('PUT: only non-empty nick, avatar and extends change; extends merges key by key', async () => {
    assertDone(await register({ user_id: 'upd', nick: 'n0', avatar: 'https://a.com/0.png', extends: { a: '1', b: '2' } }));
    const put = (body) => live.req('PUT', '/server/user/upd', { body });
    assert.equal(assertOk(await put({ nick: 'n1' })), null);
    assertInfo(assertOk(await info('upd')), { user_id: 'upd', nick: 'n1', avatar: 'https://a.com/0.png', extends: { a: '1', b: '2' } });
    assertDone(await put({ nick: '', avatar: 'https://a.com/1.png' }));
    assertInfo(assertOk(await info('upd')), { user_id: 'upd', nick: 'n1', avatar: 'https://a.com/1.png', extends: { a: '1', b: '2' } });
    assertDone(await put({ extends: { b: '3', c: '4' } }));
    assertInfo(assertOk(await info('upd')), { user_id: 'upd', nick: 'n1', avatar: 'https://a.com/1.png', extends: { a: '1', b: '3', c: '4' } });
    assertDone(await put({ nick: '', avatar: '', extends: {} }));
    assertDone(await put({}));
    assertDone(await put({ nick: null, extends: null, user_id: 'ignored' }));
    assertInfo(assertOk(await info('upd')), { user_id: 'upd', nick: 'n1', avatar: 'https://a.com/1.png', extends: { a: '1', b: '3', c: '4' } });
    assertDone(await put({ nick: '新', avatar: 'http://b.com/2.png', extends: { a: '' } }));
    assertInfo(assertOk(await info('upd')), { user_id: 'upd', nick: '新', avatar: 'http://b.com/2.png', extends: { a: '', b: '3', c: '4' } });
  });

  test('concurrent PUTs merge without losing keys; concurrent registers make one user', async () => {
    assertDone(await register({ user_id: 'conc', extends: { base: '0' } }));
    const puts = Array.from({ length: 16 }, (_, i) => live.req('PUT', '/server/user/conc', { body: { extends: { [`k${i}`]: `${i}` } } }));
    for (const r of await Promise.all(puts)) assertDone(r);
    const ext = assertOk(await info('conc')).extends;
    assert.equal(Object.keys(ext).length, 17);
    for (let i = 0; i < 16; i++) assert.equal(ext[`k${i}`], `${i}`);
    const regs = await Promise.all(Array.from({ length: 8 }, () => register({ user_id: 'race' })));
    assert.equal(regs.filter((r) => r.status === 200).length, 1);
    for (const r of regs) if (r.status === 200) assertDone(r); else assertError(r, 409, 600);
    assertInfo(assertOk(await info('race')), { user_id: 'race', nick: '', avatar: '', extends: {} });
  });

  test('PUT: errors', async () => {
    assertError(await live.req('PUT', '/server/user/nobody', { body: { nick: 'x' } }), 404);
    assertError(await live.req('PUT', '/server/user/nobody', { body: {} }), 404);
    assertDone(await register({ user_id: 'upd2', nick: 'keep', extends: { k0: 'v' } }));
    const put = (body) => live.req('PUT', '/server/user/upd2', { body });
    assertError(await put({ avatar: 'not a url' }), 400);
    assertError(await put({ nick: 'n'.repeat(65) }), 400);
    assertError(await put({ extends: { a: 1 } }), 400);
    assertError(await put({ extends: [] }), 400);
    assertError(await live.req('PUT', '/server/user/upd2', { body: '[]' }), 400);
    assertError(await live.req('PUT', '/server/user/upd2', { body: '' }), 400);
    assertError(await live.req('PUT', '/server/user/bad%20id', { body: { nick: 'x' } }), 400);
    // 50 keys after the merge are fine, 51 are not, and a refused merge changes nothing.
    const keys = (from, n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, 'v']));
    assertDone(await put({ extends: keys(1, 49) }));
    assert.equal(Object.keys(assertOk(await info('upd2')).extends).length, 50);
    assertError(await put({ nick: 'changed', extends: keys(50, 1) }), 400, 400, /merged/);
    const i = assertOk(await info('upd2'));
    assert.equal(i.nick, 'keep');
    assert.equal(Object.keys(i.extends).length, 50);
  });

  test('info and profile: unknown user 404, invalid id 400', async () => {
    assertError(await info('nobody'), 404, 404);
    assertError(await live.req('GET', '/server/user/profile/nobody'), 404, 404);
    assertError(await info('a%20b'), 400);
    assertError(await live.req('GET', '/server/user/profile/' + 'x'.repeat(65)), 400);
  });

  test('infos: repeated user_ids, unknown ones left out, each user once in the order asked', async () => {
    for (const id of ['m1', 'm2', 'm3']) assertDone(await register({ user_id: id, nick: id.toUpperCase() }));
    const d = assertOk(await live.req('GET', '/server/user/infos?user_ids=m3&user_ids=ghost&user_ids=m1&user_ids=m3'));
    assert.equal(d.length, 2);
    assertInfo(d[0], { user_id: 'm3', nick: 'M3', avatar: '', extends: {} });
    assertInfo(d[1], { user_id: 'm1', nick: 'M1' });
    assert.deepEqual(assertOk(await live.req('GET', '/server/user/infos?user_ids=ghost')), []);
    // An id with an escaped character is decoded.
    assertDone(await register({ user_id: 'e@x' }));
    assert.equal(assertOk(await live.req('GET', '/server/user/infos?user_ids=e%40x'))[0].user_id, 'e@x');
  });

  test('infos: 0 ids, 201 ids or an invalid id is 400; 200 ids are fine', async () => {
    assertError(await live.req('GET', '/server/user/infos'), 400);
    assertError(await live.req('GET', '/server/user/infos?other=1'), 400);
    const q = (n) => Array.from({ length: n }, (_, i) => `user_ids=u${i}`).join('&');
    assertError(await live.req('GET', `/server/user/infos?${q(201)}`), 400);
    assert.deepEqual(assertOk(await live.req('GET', `/server/user/infos?${q(200)}`)), []);
    assertError(await live.req('GET', '/server/user/infos?user_ids=m1&user_ids='), 400);
    assertError(await live.req('GET', '/server/user/infos?user_ids=a%20b'), 400);
  });

  test('profiles: by query or by JSON array body', async () => {
    for (const id of ['p1', 'p2']) assertDone(await register({ user_id: id, nick: id, extends: { id } }));
    const byQuery = assertOk(await live.req('GET', '/server/user/profiles?user_ids=p2&user_ids=p1&user_ids=ghost'));
    assert.equal(byQuery.length, 2);
    assertProfile(byQuery[0], { user_id: 'p2', nick: 'p2', extends: { id: 'p2' }, im_username: 'qlp2' });
    assertProfile(byQuery[1], { user_id: 'p1', im_username: 'qlp1' });
    const byBody = assertOk(await live.req('GET', '/server/user/profiles', { body: ['p2', 'p1', 'ghost'] }));
    assert.deepEqual(byBody, byQuery);
    const one = assertOk(await live.req('GET', '/server/user/profile/p1'));
    assert.deepEqual(one, byQuery[1]);
  });

  test('profiles: 0 ids, 201 ids, or a bad body is 400', async () => {
    assertError(await live.req('GET', '/server/user/profiles'), 400);
    assertError(await live.req('GET', '/server/user/profiles', { body: [] }), 400);
    assertError(await live.req('GET', '/server/user/profiles', { body: Array.from({ length: 201 }, (_, i) => `u${i}`) }), 400);
    assertError(await live.req('GET', '/server/user/profiles', { body: { user_ids: ['p1'] } }), 400);
    assertError(await live.req('GET', '/server/user/profiles', { body: [1, 2] }), 400);
    assertError(await live.req('GET', '/server/user/profiles', { body: '["p1"' }), 400);
    assert.equal(assertOk(await live.req('GET', '/server/user/profiles',
      { body: Array.from({ length: 200 }, (_, i) => (i ? `u${i}` : 'p1')) })).length, 1);
  });

  test('register/batch: every user made, data {} when none failed', async () => {
    const users = [
      { user_id: 'b1', nick: 'B1', extends: { n: '1' } },
      { user_id: 'b2', avatar: 'https://b.com/2.png' },
      { user_id: 'b-3' },
    ];
    assert.deepEqual(assertOk(await live.req('POST', '/server/user/register/batch', { body: users })), {});
    assertInfo(assertOk(await info('b1')), { user_id: 'b1', nick: 'B1', extends: { n: '1' } });
    assertInfo(assertOk(await info('b2')), { user_id: 'b2', avatar: 'https://b.com/2.png' });
    assertInfo(assertOk(await info('b-3')), { user_id: 'b-3' });
  });

  test('register/batch: per-user failures in data, the others are made', async () => {
    assertDone(await register({ user_id: 'bx', nick: 'old' }));
    const d = assertOk(await live.req('POST', '/server/user/register/batch',
      { body: [{ user_id: 'by' }, { user_id: 'bx', nick: 'new' }, { user_id: 'bz' }] }));
    assert.deepEqual(Object.keys(d), ['bx']);
    assert.match(d.bx, /already exists/);
    assert.equal(assertOk(await info('bx')).nick, 'old');
    assertInfo(assertOk(await info('by')), { user_id: 'by', nick: '', avatar: '', extends: {} });
    assertInfo(assertOk(await info('bz')), { user_id: 'bz', nick: '', avatar: '', extends: {} });
  });

  test('register/batch: 0 or 201 entries, a bad entry, or a repeated user_id is 400 and makes nobody', async () => {
    const batch = (body) => live.req('POST', '/server/user/register/batch', { body });
    assertError(await batch([]), 400);
    assertError(await batch({ user_id: 'obj' }), 400);
    assertError(await batch(Array.from({ length: 201 }, (_, i) => ({ user_id: `big${i}` }))), 400);
    assertError(await batch([{ user_id: 'ok1' }, { nick: 'no id' }]), 400, 400, /users\[1\]/);
    assertError(await batch([{ user_id: 'ok2' }, 'str']), 400);
    assertError(await batch([{ user_id: 'ok3' }, { user_id: 'ok4', avatar: 'nope' }]), 400);
    assertError(await batch([{ user_id: 'twice' }, { user_id: 'twice' }]), 400, 400, /twice/);
    for (const id of ['big0', 'big200', 'ok1', 'ok2', 'ok3', 'ok4', 'twice']) assertError(await info(id), 404);
    const full = Array.from({ length: 200 }, (_, i) => ({ user_id: `full${i}` }));
    assert.deepEqual(assertOk(await batch(full)), {});
    for (const id of ['full0', 'full199']) assertInfo(assertOk(await info(id)), { user_id: id, nick: '', avatar: '', extends: {} });
  });
});
