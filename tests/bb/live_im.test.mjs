// Live face <-> IM face: a live user is an IM user. Its im_username and
// im_password log in on the IM face, and nick/avatar are one field seen on
// both faces. Live requests are signed by the official Node SDK.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, liveClient, imClient } from './lib/harness.mjs';
import { assertOk as imData, assertError as imError, assertToken, assertTrue, newProfile } from './im_util.mjs';

/** A live success: exactly {request_id, code:0, message:'success', data}; returns data. */
function liveData(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ['request_id', 'code', 'message', 'data'], r.text);
  assert.equal(r.json.code, 0, r.text);
  assert.equal(r.json.message, 'success');
  assert.equal(r.headers['x-reqid'], r.json.request_id);
  return r.json.data;
}

describe('live face: the IM account of a live user', () => {
  let srv, app, live, im;
  const profile = async (id) => liveData(await live.req('GET', `/server/user/profile/${id}`));
  const login = (name, password) => im.req('POST', '/token/user', { body: { name, password } });

  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
    live = liveClient(srv, app);
    im = imClient(srv, app);
    liveData(await live.req('POST', '/server/user/register', {
      body: { user_id: 'streamer', nick: '主播', avatar: 'https://cdn.example.com/s.png', extends: { level: '3' } },
    }));
  });
  after(async () => { live.close(); im.close(); await srv.stop(); });

  test('im_username + im_password log in on the IM face, which shows the same user', async () => {
    const p = await profile('streamer');
    assert.deepEqual(p, {
      user_id: 'streamer', nick: '主播', avatar: 'https://cdn.example.com/s.png', im_userid: p.im_userid,
      im_username: 'qlstreamer', im_password: p.im_password, extends: { level: '3' },
    });
    assert.match(p.im_password, /^[0-9a-f]{16}$/);
    const t = assertToken(await login(p.im_username, p.im_password), p.im_userid);
    assertToken(await im.req('POST', '/token/id', { body: { user_id: p.im_userid, password: p.im_password } }), p.im_userid);
    const me = imClient(srv, app, t.token);
    const prof = imData(await me.req('GET', '/user/profile'));
    me.close();
    assert.deepEqual(prof, { ...newProfile(p.im_userid, 'qlstreamer'), nick_name: '主播', avatar: 'https://cdn.example.com/s.png' });
  });

  test('a wrong password or another user\'s password does not log in', async () => {
    const p = await profile('streamer');
    liveData(await live.req('POST', '/server/user/register', { body: { user_id: 'viewer' } }));
    const v = await profile('viewer');
    assert.notEqual(v.im_password, p.im_password);
    for (const [name, pw] of [[p.im_username, v.im_password], [p.im_username, 'wrong-password'], [v.im_username, p.im_password]])
      imError(await login(name, pw), 10005);
    assertToken(await login(v.im_username, v.im_password), v.im_userid);
  });

  test('a nick or avatar set on the live face shows on the IM face', async () => {
    assert.equal(liveData(await live.req('PUT', '/server/user/streamer', { body: { nick: 'Live nick', avatar: 'https://cdn.example.com/l.png' } })), null);
    const p = await profile('streamer');
    const me = imClient(srv, app, assertToken(await login(p.im_username, p.im_password), p.im_userid).token);
    const prof = imData(await me.req('GET', '/user/profile'));
    me.close();
    assert.deepEqual(prof, { ...newProfile(p.im_userid, p.im_username), nick_name: 'Live nick', avatar: 'https://cdn.example.com/l.png' });
  });

  test('a nick or avatar set on the IM face shows on the live face', async () => {
    const p = await profile('streamer');
    const me = imClient(srv, app, assertToken(await login(p.im_username, p.im_password), p.im_userid).token);
    assertTrue(await me.req('POST', '/user/nickname', { query: { nick_name: 'IM 昵称' } }));
    assertTrue(await me.req('POST', '/user/avatar', { body: { avatar: 'https://cdn.example.com/im.png' } }));
    me.close();
    const info = liveData(await live.req('GET', '/server/user/info/streamer'));
    const want = { user_id: 'streamer', nick: 'IM 昵称', avatar: 'https://cdn.example.com/im.png', im_userid: p.im_userid, extends: { level: '3' } };
    assert.deepEqual(info, want);
    assert.deepEqual(Object.keys(info), Object.keys(want));
    assert.deepEqual(liveData(await live.req('GET', '/server/user/infos?user_ids=streamer')), [want]);
  });

  test('an IM username changed on the IM face is the one the live face shows', async () => {
    liveData(await live.req('POST', '/server/user/register', { body: { user_id: 'renamed' } }));
    const p = await profile('renamed');
    assert.equal(p.im_username, 'qlrenamed');
    const me = imClient(srv, app, assertToken(await login(p.im_username, p.im_password), p.im_userid).token);
    assertTrue(await me.req('POST', '/user/username', { query: { username: 'new_name_1' } }));
    me.close();
    const after2 = await profile('renamed');
    assert.deepEqual(after2, { ...p, im_username: 'new_name_1' });
    assertToken(await login('new_name_1', p.im_password), p.im_userid);
    imError(await login('qlrenamed', p.im_password), 10000);
  });

  test('after the password is changed on the IM face, im_password is "" and the old one fails', async () => {
    liveData(await live.req('POST', '/server/user/register', { body: { user_id: 'changer' } }));
    const p = await profile('changer');
    const me = imClient(srv, app, assertToken(await login(p.im_username, p.im_password), p.im_userid).token);
    assertTrue(await me.req('POST', '/user/change_password', { body: { old_password: p.im_password, new_password: 'mine-now-1' } }));
    me.close();
    const after2 = await profile('changer');
    assert.deepEqual(after2, { ...p, im_password: '' });
    imError(await login(p.im_username, p.im_password), 10005);
    assertToken(await login(p.im_username, 'mine-now-1'), p.im_userid);
  });

  test('IM users that are not live users are not on the live face', async () => {
    imData(await im.req('POST', '/user/register/v2', { body: { username: 'plain_im', password: 'secret123' } }));
    const r = await live.req('GET', '/server/user/info/plain_im');
    assert.equal(r.status, 404, r.text);
    assert.deepEqual(r.json, { request_id: r.json.request_id, code: 404, message: r.json.message, data: null });
    assert.ok(r.json.message.length > 0);
    assert.deepEqual(liveData(await live.req('GET', '/server/user/infos?user_ids=plain_im')), []);
    assert.deepEqual(liveData(await live.req('GET', '/server/user/profiles?user_ids=plain_im')), []);
  });
});
