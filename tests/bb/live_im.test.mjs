// Live face <-> IM face: a live user is an IM user. Its im_username and
// im_password log in on the IM face, and nick/avatar are one field seen on
// both faces. Live requests are signed by the official Node SDK.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, liveClient, imClient } from './lib/harness.mjs';

function liveData(r) {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.code, 0, r.text);
  return r.json.data;
}

function imData(r) {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.code, 200, r.text);
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
    const t = imData(await login(p.im_username, p.im_password));
    assert.equal(typeof t.token, 'string');
    assert.equal(t.user_id, p.im_userid);
    const byId = imData(await im.req('POST', '/token/id', { body: { user_id: p.im_userid, password: p.im_password } }));
    assert.equal(byId.user_id, p.im_userid);
    const me = imClient(srv, app, t.token);
    const prof = imData(await me.req('GET', '/user/profile'));
    me.close();
    assert.equal(prof.user_id, p.im_userid);
    assert.equal(prof.username, p.im_username);
    assert.equal(prof.nick_name, '主播');
    assert.equal(prof.avatar, 'https://cdn.example.com/s.png');
  });

  test('a wrong password or another user\'s password does not log in', async () => {
    const p = await profile('streamer');
    liveData(await live.req('POST', '/server/user/register', { body: { user_id: 'viewer' } }));
    const v = await profile('viewer');
    assert.notEqual(v.im_password, p.im_password);
    for (const [name, pw] of [[p.im_username, v.im_password], [p.im_username, 'wrong-password'], [v.im_username, p.im_password]]) {
      const r = await login(name, pw);
      assert.equal(r.status, 200);
      assert.notEqual(r.json.code, 200, r.text);
      assert.equal(r.json.data, null);
    }
  });

  test('a nick or avatar set on the live face shows on the IM face', async () => {
    liveData(await live.req('PUT', '/server/user/streamer', { body: { nick: 'Live nick', avatar: 'https://cdn.example.com/l.png' } }));
    const p = await profile('streamer');
    const me = imClient(srv, app, imData(await login(p.im_username, p.im_password)).token);
    const prof = imData(await me.req('GET', '/user/profile'));
    me.close();
    assert.equal(prof.nick_name, 'Live nick');
    assert.equal(prof.avatar, 'https://cdn.example.com/l.png');
  });

  test('a nick or avatar set on the IM face shows on the live face', async () => {
    const p = await profile('streamer');
    const me = imClient(srv, app, imData(await login(p.im_username, p.im_password)).token);
    imData(await me.req('POST', '/user/nickname', { query: { nick_name: 'IM 昵称' } }));
    imData(await me.req('POST', '/user/avatar', { body: { avatar: 'https://cdn.example.com/im.png' } }));
    me.close();
    const info = liveData(await live.req('GET', '/server/user/info/streamer'));
    assert.equal(info.nick, 'IM 昵称');
    assert.equal(info.avatar, 'https://cdn.example.com/im.png');
    assert.deepEqual(info.extends, { level: '3' });
    const many = liveData(await live.req('GET', '/server/user/infos?user_ids=streamer'));
    assert.equal(many[0].nick, 'IM 昵称');
  });

  test('an IM username changed on the IM face is the one the live face shows', async () => {
    liveData(await live.req('POST', '/server/user/register', { body: { user_id: 'renamed' } }));
    const p = await profile('renamed');
    assert.equal(p.im_username, 'qlrenamed');
    const me = imClient(srv, app, imData(await login(p.im_username, p.im_password)).token);
    imData(await me.req('POST', '/user/username', { query: { username: 'new_name_1' } }));
    me.close();
    const after2 = await profile('renamed');
    assert.equal(after2.im_username, 'new_name_1');
    assert.equal(after2.im_password, p.im_password);
    imData(await login('new_name_1', p.im_password));
  });

  test('after the password is changed on the IM face, im_password is "" and the old one fails', async () => {
    liveData(await live.req('POST', '/server/user/register', { body: { user_id: 'changer' } }));
    const p = await profile('changer');
    const me = imClient(srv, app, imData(await login(p.im_username, p.im_password)).token);
    imData(await me.req('POST', '/user/change_password', { body: { old_password: p.im_password, new_password: 'mine-now-1' } }));
    me.close();
    const after2 = await profile('changer');
    assert.equal(after2.im_password, '');
    assert.notEqual((await login(p.im_username, p.im_password)).json.code, 200);
    imData(await login(p.im_username, 'mine-now-1'));
  });

  test('IM users that are not live users are not on the live face', async () => {
    imData(await im.req('POST', '/user/register/v2', { body: { username: 'plain_im', password: 'secret123' } }));
    assert.equal((await live.req('GET', '/server/user/info/plain_im')).status, 404);
    assert.deepEqual(liveData(await live.req('GET', '/server/user/infos?user_ids=plain_im')), []);
  });
});
