// IM face as the official web SDK (maxim-top/floo-web) calls it: every user
// and token call of its HTTP layer (src/sdk/core/base/io/httpIo.js over
// src/sdk/utils/request.js), replayed in the SDK's exact wire shape, each read
// back through the API (issue 16; the facts are in /work/notes/clients-research.md).
//
// The SDK's request() sends:
//  - GET, and POSTs marked "query": every parameter in the query string
//    (query-string's stringify: keys sorted, RFC 3986 encoding; a bare "?" when
//    there is none) and, for the POST, the JSON body "{}";
//  - every other POST: a JSON body, with user_id, group_id, limit, version,
//    duration, ... turned into JSON numbers (dealParams) and the rest as given;
//  - its axios interceptor adds the headers app_id and access-token (once it
//    has a token); axios sends Content-Type application/json for the bodies.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, httpRequest, sleep } from './lib/harness.mjs';
import { assertSettingsShape, assertProfileShape, uname } from './im_util.mjs';

/** query-string@6 stringify: sorted keys, undefined skipped, strict URI encoding. */
function qs(params) {
  const enc = (s) => encodeURIComponent(String(s)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.keys(params).sort().filter((k) => params[k] !== undefined)
    .map((k) => (params[k] === null ? enc(k) : `${enc(k)}=${enc(params[k])}`)).join('&');
}

/** request.js dealParams: these keys become numbers (`x - 0`) when truthy. */
function dealParams(p) {
  const out = { ...p };
  for (const k of ['group_id', 'user_id', 'new_owner', 'apply_approval', 'duration', 'limit', 'version', 'announcement_id'])
    if (out[k]) out[k] -= 0;
  for (const k of ['user_list', 'file_list']) if (Array.isArray(out[k])) out[k] = out[k].map((i) => i - 0);
  return out;
}

/**
 * The SDK's HTTP layer for one browser tab: request(url, method, params, isQuery)
 * as request.js sends it; `token` is what infoStore holds (set after a login).
 */
function webSdk(srv, appId) {
  const state = { token: null };
  async function request(url, method, params = {}, isQuery = false) {
    const m = method.toUpperCase();
    let path = url, body;
    if (m === 'GET' || (m === 'POST' && isQuery)) {
      path += (url.indexOf('?') > 0 ? '&' : '?') + qs(params);
      if (m === 'POST') body = '{}';
    } else {
      body = JSON.stringify(dealParams(params));
    }
    const headers = { Accept: 'application/json, text/plain, */*', app_id: appId };
    if (state.token) headers['access-token'] = state.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await httpRequest({ port: srv.im, method: m, path, body, headers });
    r.sent = { method: m, path, body };
    return r;
  }
  // httpIo.js, the user and token calls (name: [method, path, isQuery])
  const call = (method, path, isQuery) => (params) => request(path, method, params, isQuery);
  return {
    state,
    request,
    tokenUser: call('post', '/token/user'),
    tokenId: call('post', '/token/id'),
    userRegister: call('post', '/user/register/v2'),
    userAuthmode: call('post', '/user/authmode', true),
    userAvatar: call('post', '/user/avatar'),
    userMobile: call('post', '/user/mobile', true),
    userNickname: call('post', '/user/nickname', true),
    userProfile: () => request('/user/profile', 'get', {}),
    userProfilePost: call('post', '/user/profile'),
    userPush: call('post', '/user/push'),
    userPushDetail: call('post', '/user/push/detail'),
    userPushLimit: call('post', '/user/push/limit'),
    userPushNickname: call('post', '/user/push/nickname'),
    userSettings: () => request('/user/settings', 'get', {}),
    userSettingsPost: call('post', '/user/settings'),
    userSounds: call('post', '/user/sounds'),
    userVibratory: call('post', '/user/vibratory'),
    userChangePassword: call('post', '/user/change_password'),
    bindDeviceToken: call('post', '/user/token/bind'),
    unbindDeviceToken: call('post', '/user/token/unbind', true),
    userDelete: call('post', '/user/delete'),
    userDeviceList: call('get', '/user/device/list', true),
    userKick: call('post', '/user/kick'),
  };
}

/** request.js resolves with `data` when code is 200; anything else rejects. */
function data(r) {
  assert.equal(r.status, 200, `${r.sent.method} ${r.sent.path} ${r.sent.body ?? ''}: HTTP ${r.status} ${r.text}`);
  assert.equal(r.json?.code, 200, `${r.sent.method} ${r.sent.path} ${r.sent.body ?? ''}: ${r.text}`);
  return r.json.data;
}
const isTrue = (r) => assert.equal(data(r), true, r.text);
const isCode = (r, code) => {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json?.code, code, `${r.sent.method} ${r.sent.path} ${r.sent.body ?? ''}: ${r.text}`);
};

describe('IM face as the web SDK floo-web calls it', () => {
  let srv, appId;
  before(async () => {
    srv = await startUserd();
    appId = srv.defaultApp.app_id;
  });
  after(async () => { await srv.stop(); });

  /** userRegister + the SDK's login (im.login(opt) -> tokenUser(opt)); returns the signed-in tab. */
  async function signedIn(opt = {}) {
    const sdk = webSdk(srv, appId);
    const username = opt.username ?? uname('web');
    const password = 'secret123';
    const reg = data(await sdk.userRegister({ username, password }));
    assertSettingsShape(reg, reg.user_id);
    const body = { name: username, password };
    if (opt.guid) body.device_guid = opt.guid;
    const t = data(await sdk.tokenUser(body));
    assert.equal(typeof t.token, 'string');
    assert.equal(t.user_id, reg.user_id);
    sdk.state.token = t.token;
    return { sdk, username, password, id: reg.user_id };
  }

  test('logins: tokenUser {name, password} and tokenId {user_id as a number, password}', async () => {
    const { sdk, username, password, id } = await signedIn();
    const byId = webSdk(srv, appId);
    // dealParams turns user_id into a JSON number even when the page holds it as a string
    const r = await byId.tokenId({ user_id: String(id), password });
    assert.equal(r.sent.body, JSON.stringify({ user_id: id, password }));
    const t = data(r);
    assert.deepEqual([typeof t.token, t.user_id, typeof t.expire], ['string', id, 'number']);
    byId.state.token = t.token;
    assert.equal(data(await byId.userProfile()).username, username);
    isCode(await byId.tokenId({ user_id: id, password: 'wrong-one' }), 10005);
    isCode(await webSdk(srv, appId).tokenUser({ name: username, password: 'wrong-one' }), 10005);
    assert.equal(data(await sdk.userProfile()).user_id, id);
  });

  test('GET calls carry their parameters in the query, a bare "?" when there are none', async () => {
    const { sdk, id } = await signedIn();
    const p = await sdk.userProfile();
    assert.equal(p.sent.path, '/user/profile?');
    assertProfileShape(data(p));
    const s = await sdk.userSettings();
    assert.equal(s.sent.path, '/user/settings?');
    assertSettingsShape(data(s), id);
    const d = await sdk.userDeviceList({});
    assert.equal(d.sent.path, '/user/device/list?');
    assert.deepEqual(data(d), []);
  });

  test('"query" POSTs: authmode, nickname, mobile in the query with the body {}', async () => {
    const { sdk, id } = await signedIn();
    let r = await sdk.userAuthmode({ value: 2 });
    assert.deepEqual([r.sent.path, r.sent.body], ['/user/authmode?value=2', '{}']);
    isTrue(r);
    r = await sdk.userNickname({ nick_name: 'Web Tab ✓' });
    assert.equal(r.sent.path, `/user/nickname?nick_name=${encodeURIComponent('Web Tab ✓')}`);
    isTrue(r);
    const mobile = `1390000${String(id).padStart(4, '0')}`;
    isTrue(await sdk.userMobile({ mobile }));
    assert.equal(data(await sdk.userSettings()).auth_mode, 2);
    const prof = data(await sdk.userProfile());
    assert.deepEqual([prof.nick_name, prof.mobile], ['Web Tab ✓', mobile]);
  });

  test('JSON-body POSTs: avatar, profile and settings (user_id as a number) take effect', async () => {
    const { sdk, id } = await signedIn();
    isTrue(await sdk.userAvatar({ avatar: 'https://cdn.example.com/a/1.png' }));
    isTrue(await sdk.userProfilePost({ description: 'about me', nick_name: 'Webby', private_info: 'p', public_info: 'q' }));
    const prof = data(await sdk.userProfile());
    assertProfileShape(prof);
    assert.deepEqual([prof.avatar, prof.description, prof.nick_name, prof.private_info, prof.public_info],
      ['https://cdn.example.com/a/1.png', 'about me', 'Webby', 'p', 'q']);
    // the demo's settings page: {auth_mode, user_id} and {group_confirm, user_id}
    let r = await sdk.userSettingsPost({ auth_mode: 1, user_id: String(id) });
    assert.equal(r.sent.body, JSON.stringify({ auth_mode: 1, user_id: id }));
    isTrue(r);
    isTrue(await sdk.userSettingsPost({ group_confirm: false, user_id: id }));
    const s = data(await sdk.userSettings());
    assertSettingsShape(s, id);
    assert.deepEqual([s.auth_mode, s.group_confirm], [1, false]);
  });

  test('push settings go in a JSON body: push, push/detail, push/limit, push/nickname, sounds, vibratory', async () => {
    const { sdk, id } = await signedIn();
    const before = data(await sdk.userSettings());
    assert.deepEqual([before.no_push, before.no_push_detail, before.no_sounds, before.vibratory], [false, false, false, true]);
    const calls = [
      ['userPush', { value: true }, '/user/push'],
      ['userPushDetail', { value: true }, '/user/push/detail'],
      ['userPushLimit', { no_push_end_hour: 7, no_push_start_hour: 22 }, '/user/push/limit'],
      ['userPushNickname', { value: 'Pushy' }, '/user/push/nickname'],
      ['userSounds', { value: true }, '/user/sounds'],
      ['userVibratory', { value: false }, '/user/vibratory'],
    ];
    const answers = {};
    for (const [fn, params, path] of calls) {
      const r = await sdk[fn](params);
      assert.deepEqual([r.sent.path, r.sent.body], [path, JSON.stringify(params)]);
      answers[path] = r.json;
    }
    // every one of them answers true (listed together, so a failure names them all)
    assert.deepEqual(answers, Object.fromEntries(calls.map(([, , path]) => [path, { code: 200, message: '', data: true }])));
    const s = data(await sdk.userSettings());
    assertSettingsShape(s, id);
    assert.deepEqual(
      [s.no_push, s.no_push_detail, s.no_push_start_hour, s.no_push_end_hour, s.push_nick_name, s.no_sounds, s.vibratory],
      [true, true, 22, 7, 'Pushy', true, false]);
    // and back: the same calls with the opposite values
    isTrue(await sdk.userPush({ value: false }));
    isTrue(await sdk.userSounds({ value: false }));
    isTrue(await sdk.userVibratory({ value: true }));
    isTrue(await sdk.userPushLimit({ no_push_end_hour: 0, no_push_start_hour: 23 }));
    const s2 = data(await sdk.userSettings());
    assert.deepEqual([s2.no_push, s2.no_sounds, s2.vibratory, s2.no_push_start_hour, s2.no_push_end_hour], [false, false, true, 23, 0]);
  });

  test('devices: the list, token/bind {device_sn as a number}, token/unbind ?deviceSn=, each read back', async () => {
    const { sdk, username, password } = await signedIn({ guid: 'web-tab-1' });
    const list = data(await sdk.userDeviceList({}));
    assert.equal(list.length, 1);
    const sn = list[0].device_sn;
    assert.equal(typeof sn, 'number');
    const v0 = (await sdk.userDeviceList({})).json.version;
    await sleep(5);
    // the demo app: bindDeviceToken({device_sn, device_token, notifier_name}) with getDeviceSN()
    let r = await sdk.bindDeviceToken({ device_sn: sn, device_token: 'tok-123', notifier_name: 'web_push' });
    assert.equal(r.sent.body, JSON.stringify({ device_sn: sn, device_token: 'tok-123', notifier_name: 'web_push' }));
    isTrue(r);
    const v1 = (await sdk.userDeviceList({})).json.version;
    assert.ok(v1 > v0, `binding moves the device list version (${v0} -> ${v1})`);
    isCode(await sdk.bindDeviceToken({ device_sn: sn + 50, device_token: 'tok-123', notifier_name: 'web_push' }), 10007);
    await sleep(5);
    // the demo app: unbindDeviceToken({deviceSn}) -- a "query" POST
    r = await sdk.unbindDeviceToken({ deviceSn: sn });
    assert.deepEqual([r.sent.path, r.sent.body], [`/user/token/unbind?deviceSn=${sn}`, '{}']);
    isTrue(r);
    const v2 = (await sdk.userDeviceList({})).json.version;
    assert.ok(v2 > v1, `unbinding moves the device list version (${v1} -> ${v2})`);
    isCode(await sdk.unbindDeviceToken({ deviceSn: sn + 50 }), 10007);
    // the spelling of the API document's table in issue 16 (device_sn) reaches the same device
    isTrue(await sdk.unbindDeviceToken({ device_sn: sn }));
    isCode(await sdk.unbindDeviceToken({ device_sn: sn + 50 }), 10007);
    assert.ok(username && password);
  });

  test('kick {device_sn} in a JSON body ends that device only; the caller and the others stay signed in', async () => {
    const { sdk: tab1, username, password } = await signedIn({ guid: 'web-tab-1' });
    const other = async (guid) => {
      const s = webSdk(srv, appId);
      s.state.token = data(await s.tokenUser({ name: username, password, device_guid: guid })).token;
      return s;
    };
    const tab2 = await other('web-tab-2');
    const phone = await other('phone-3');
    const devices = data(await tab1.userDeviceList({}));
    assert.deepEqual(devices.map((d) => d.device_sn), [1, 2, 3]);
    // webim.kickAllWeb(): asyncKickDevice({device_sn: device.device_sn}) for the other web devices
    const r = await tab1.userKick({ device_sn: devices[1].device_sn });
    assert.deepEqual([r.sent.path, r.sent.body], ['/user/kick', JSON.stringify({ device_sn: 2 })]);
    isTrue(r);
    isCode(await tab2.userProfile(), 10008);
    assert.equal(data(await tab1.userProfile()).username, username, 'the caller stays signed in');
    assert.equal(data(await phone.userProfile()).username, username, 'the third device stays signed in');
    assert.equal(data(await tab1.userDeviceList({})).length, 3, 'a kicked device stays listed');
    isCode(await tab1.userKick({ device_sn: 99 }), 10007);
    assert.equal(data(await tab1.userProfile()).username, username);
  });

  test('change_password {old_password, new_password}, then delete {password}', async () => {
    const { sdk, username, password } = await signedIn({ guid: 'web-tab-1' });
    const second = webSdk(srv, appId);
    second.state.token = data(await second.tokenUser({ name: username, password, device_guid: 'web-tab-2' })).token;
    isTrue(await sdk.userChangePassword({ old_password: password, new_password: 'n3w-secret' }));
    isCode(await second.userProfile(), 10008);
    assert.equal(data(await sdk.userProfile()).username, username);
    isCode(await webSdk(srv, appId).tokenUser({ name: username, password }), 10005);
    const again = webSdk(srv, appId);
    again.state.token = data(await again.tokenUser({ name: username, password: 'n3w-secret' })).token;
    isCode(await sdk.userDelete({ password: 'wrong-one' }), 10005);
    isTrue(await sdk.userDelete({ password: 'n3w-secret' }));
    isCode(await sdk.userProfile(), 10008);
    isCode(await again.userProfile(), 10008);
    isCode(await webSdk(srv, appId).tokenUser({ name: username, password: 'n3w-secret' }), 10000);
  });
});
