// App face as both generations of the SealTalk apps call it (issue 18): every
// user-API call of their HTTP layers replayed in the apps' wire shapes, each
// step asserting the fields and JSON types the apps read. Facts and source
// references: /work/notes/clients-research.md.
//
// Android (sealtalk/sealtalk-android): Retrofit + OkHttp + Gson. Bodies from
// RetrofitUtil.createJsonRequest: Gson over a HashMap (strings stay strings,
// ints are numbers, null entries are dropped, and Gson escapes < > & = ' as
// \u00XX), Content-Type "application/json;charset=UTF-8". RetrofitClient keeps
// every Set-Cookie line of the last answer that had one and sends each line
// back whole as a Cookie header. Region "+86" on the sign-up / send-code calls
// (the country picker's text) and "86" on login, verify_code_register, search.
// It never calls /user/logout; since 2023 it deletes the account with GET /user/del.
//
// iOS (sealtalk/sealtalk-ios, rongcloud/sealtalk-ios): AFNetworking with
// AFJSONRequestSerializer (JSON bodies, Content-Type application/json; nil
// parameters: no body, no Content-Type; GET parameters in the query). After a
// successful POST it keeps "name=value;" of each Set-Cookie (saveCookieIfHave)
// and sends that string as the Cookie header. A success needs HTTP 2xx with
// Content-Type application/json (AFJSONResponseSerializer).
//
// Default settings (SMS provider "log", resend interval 60 s). The interval
// holds while a phone's code is unused: a verified code is used up, so the
// registered phones ask for their sign-in codes at once (docs/app.md), and
// the file waits for no clock.
//
// Not signed in: HTTP 403 with the JSON {code:1000, msg}, which the current
// iOS app (RCDHTTPUtility httpFailureResult) takes for "sign in again"; the
// older iOS and Android read only the status.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startUserd, httpRequest, imClient, sleep } from './lib/harness.mjs';
import { newPhone, sql, accountId, notLoggedIn } from './app_lib.mjs';

const USER_ID = /^[0-9A-Za-z]{1,9}$/;

/** Gson's default output for a HashMap<String, Object>: nulls dropped, HTML-safe escapes. */
function gson(map) {
  const clean = Object.fromEntries(Object.entries(map).filter(([, v]) => v !== null && v !== undefined));
  return JSON.stringify(clean).replace(/[<>&=']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The Android app's OkHttp client (RetrofitClient: AddHeaderInterceptor, ReceivedCookiesInterceptor). */
function android(srv) {
  const c = { cookies: null };
  c.req = async (method, path, params) => {
    const headers = { 'User-Agent': 'okhttp/4.9.3', 'Accept-Encoding': 'gzip', Connection: 'Keep-Alive' };
    if (c.cookies) headers.Cookie = c.cookies.length === 1 ? c.cookies[0] : c.cookies;
    let body;
    if (params !== undefined) {
      body = gson(params);
      headers['Content-Type'] = 'application/json;charset=UTF-8';
    }
    const r = await httpRequest({ port: srv.app, method, path, body, headers });
    if (r.headers['content-encoding'] === 'gzip') { // okhttp asked for gzip itself, so it decodes it (answers over 1 KiB)
      r.body = zlib.gunzipSync(r.body);
      r.text = r.body.toString('utf8');
      try { r.json = JSON.parse(r.text); } catch { r.json = undefined; }
    }
    const set = r.headers['set-cookie'];
    if (set && set.length) c.cookies = [...new Set(set)];
    r.sent = `${method} ${path} ${body ?? ''}`;
    return r;
  };
  return c;
}

/** The iOS app's RCDHTTPUtility over AFNetworking. */
function ios(srv) {
  const c = { cookie: null };
  c.req = async (method, path, params) => {
    const headers = { 'User-Agent': 'SealTalk/5.1.1 (iPhone; iOS 16.0; Scale/3.00)', 'Accept-Language': 'zh-Hans-CN;q=1' };
    if (c.cookie) headers.Cookie = c.cookie;
    let body, url = path;
    if (method === 'GET') {
      if (params) url += `?${new URLSearchParams(params)}`;
    } else if (params) {
      body = JSON.stringify(params);
      headers['Content-Type'] = 'application/json';
    }
    const r = await httpRequest({ port: srv.app, method, path: url, body, headers });
    const json = /^application\/json/.test(r.headers['content-type'] || '');
    if (method === 'POST' && r.status >= 200 && r.status < 300 && json) {
      // saveCookieIfHave: allHeaderFields joins Set-Cookie lines with ", "
      const line = (r.headers['set-cookie'] || []).join(', ');
      if (line) c.cookie = line.split(',').map((part) => `${part.split(';')[0]};`).join('');
    }
    r.sent = `${method} ${url} ${body ?? ''}`;
    return r;
  };
  return c;
}

/** A business success as both apps take it: HTTP 200, JSON, code 200; returns `result`. */
function result(r) {
  assert.equal(r.status, 200, `${r.sent}: HTTP ${r.status} ${r.text}`);
  assert.match(r.headers['content-type'], /^application\/json/, r.sent);
  assert.equal(r.json?.code, 200, `${r.sent}: ${r.text}`);
  return r.json.result;
}
const okNoResult = (r) => { result(r); assert.deepEqual(r.json, { code: 200 }, r.sent); };
function plain(r, status, text) {
  assert.equal(r.status, status, `${r.sent}: ${r.text}`);
  assert.equal(r.text, text, r.sent);
}
const types = (obj, spec, what) => {
  for (const [k, t] of Object.entries(spec)) assert.equal(typeof obj?.[k], t, `${what}.${k} (${JSON.stringify(obj)})`);
};

describe('app face as the SealTalk apps call it', () => {
  let srv;
  const A = {}, B = {}, C = {}, D = {};
  before(async () => { srv = await startUserd(); });
  after(async () => { await srv.stop(); });

  /** The code the log provider wrote for +86 phone, in log lines from index `from` on. */
  async function smsCode(phone, from) {
    const re = new RegExp(`code (\\d{6}) for \\+86 ${phone}\\b`);
    for (let i = 0; i < 200; i++) {
      const hit = srv.logs().slice(from).find((l) => re.test(l));
      if (hit) return hit.match(re)[1];
      await sleep(25);
    }
    throw new Error(`no SMS code logged for ${phone}`);
  }
  /** A picture code from GET /user/pic_code and its answer (kept in the store, as the picture-code tests read it). */
  async function picture(c) {
    const pic = result(await c.req('GET', '/user/pic_code'));
    types(pic, { picCode: 'string', picCodeId: 'string' }, 'pic_code');
    const png = Buffer.from(pic.picCode, 'base64');
    assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'picCode is a base64 PNG');
    const answer = sql(srv, `SELECT answer FROM captchas WHERE id = '${pic.picCodeId.replace(/'/g, "''")}'`);
    assert.match(answer, /^[0-9A-Z]{4}$/);
    return { picCodeId: pic.picCodeId, picCode: answer };
  }
  /** The older apps' sign-up: send_code_yp, verify_code_yp, register (which sets the session cookie). */
  async function passwordSignUp(c, region, nickname) {
    const phone = newPhone(), password = 'secret9';
    const mark = srv.logs().length;
    okNoResult(await c.req('POST', '/user/send_code_yp', { region, phone }));
    const v = result(await c.req('POST', '/user/verify_code_yp', { region, phone, code: await smsCode(phone, mark) }));
    const reg = result(await c.req('POST', '/user/register', { nickname, password, verification_token: v.verification_token }));
    return { c, phone, password, id: reg.id };
  }
  const imProfile = async (token) => {
    const im = imClient(srv, srv.defaultApp, token);
    try { return await im.req('GET', '/user/profile'); } finally { im.close(); }
  };

  test('older Android (password sign-in, before 2021-04): sign-up, login, profile, privacy, poke', async () => {
    const c = android(srv);
    A.phone = newPhone(); A.password = 'P@ss=w0rd'; A.c = c;
    assert.equal(result(await c.req('POST', '/user/check_phone_available', { region: '+86', phone: A.phone })), true);
    const mark = srv.logs().length;
    okNoResult(await c.req('POST', '/user/send_code_yp', { region: '+86', phone: A.phone }));
    const code = await smsCode(A.phone, mark);
    const v = result(await c.req('POST', '/user/verify_code_yp', { region: '+86', phone: A.phone, code }));
    types(v, { verification_token: 'string' }, 'verify_code_yp');
    const reg = result(await c.req('POST', '/user/register', { nickname: 'Andy', password: A.password, verification_token: v.verification_token }));
    types(reg, { id: 'string' }, 'register');
    assert.match(reg.id, USER_ID);
    let r = await c.req('POST', '/user/login', { region: '86', phone: A.phone, password: A.password });
    const login = result(r);
    types(login, { id: 'string', token: 'string' }, 'login');
    assert.equal(login.id, reg.id);
    A.id = login.id;
    assert.equal(c.cookies.length, 1);
    assert.match(c.cookies[0], /^rong_auth_cookie=[^;]+; /, 'Android keeps the whole Set-Cookie line');
    assert.equal((await imProfile(login.token)).json.data.mobile, A.phone);

    // everything after login sends that whole line back as the Cookie header
    const me = result(await c.req('GET', `/user/${A.id}`));
    types(me, { id: 'string', nickname: 'string', portraitUri: 'string', gender: 'string', stAccount: 'string', phone: 'string' }, 'user/:id');
    assert.deepEqual([me.id, me.nickname, me.phone], [A.id, 'Andy', A.phone]);
    okNoResult(await c.req('POST', '/user/set_nickname', { nickname: 'Andy2' }));
    okNoResult(await c.req('POST', '/user/set_gender', { gender: 'female' }));
    okNoResult(await c.req('POST', '/user/set_st_account', { stAccount: `andy_${A.phone.slice(-6)}` }));
    okNoResult(await c.req('POST', '/user/set_portrait_uri', { portraitUri: 'https://img.example.com/p?a=1&b=2' }));
    const me2 = result(await c.req('GET', `/user/${A.id}`));
    assert.deepEqual([me2.nickname, me2.gender, me2.stAccount, me2.portraitUri],
      ['Andy2', 'female', `andy_${A.phone.slice(-6)}`, 'https://img.example.com/p?a=1&b=2']);
    A.nickname = 'Andy2';

    // PrivacyTask.setPrivacy: ints; get_privacy and get_poke are read as ints
    const p0 = result(await c.req('GET', '/user/get_privacy'));
    assert.deepEqual(p0, { phoneVerify: 1, stSearchVerify: 1, friVerify: 1, groupVerify: 1 });
    okNoResult(await c.req('POST', '/user/set_privacy', { friVerify: 0, groupVerify: 0 }));
    assert.deepEqual(result(await c.req('GET', '/user/get_privacy')), { phoneVerify: 1, stSearchVerify: 1, friVerify: 0, groupVerify: 0 });
    assert.deepEqual(result(await c.req('GET', '/user/get_poke')), { pokeStatus: 1 });
    okNoResult(await c.req('POST', '/user/set_poke', { pokeStatus: 0 }));
    assert.deepEqual(result(await c.req('GET', '/user/get_poke')), { pokeStatus: 0 });

    okNoResult(await c.req('POST', '/user/change_password', { oldPassword: A.password, newPassword: 'N3w=pass' }));
    A.password = 'N3w=pass';
    r = await android(srv).req('POST', '/user/login', { region: '86', phone: A.phone, password: A.password });
    assert.equal(result(r).id, A.id);
  });

  test('older Android: get_token answers {id, token} (LoginResult reads id)', async () => {
    const t = result(await A.c.req('GET', '/user/get_token'));
    types(t, { id: 'string', token: 'string' }, 'get_token');
    assert.equal(t.id, A.id);
    assert.equal((await imProfile(t.token)).json.code, 200);
  });

  test('older iOS (password sign-in, up to 5.1.0): sign-up, login errors, find, logout as a bare POST', async () => {
    const c = ios(srv);
    B.phone = newPhone(); B.password = 'secret9'; B.c = c;
    assert.equal(result(await c.req('POST', '/user/check_phone_available', { region: '86', phone: B.phone })), true);
    const mark = srv.logs().length;
    okNoResult(await c.req('POST', '/user/send_code_yp', { region: '86', phone: B.phone }));
    const v = result(await c.req('POST', '/user/verify_code_yp', { region: '86', phone: B.phone, code: await smsCode(B.phone, mark) }));
    const reg = result(await c.req('POST', '/user/register', { nickname: 'Bea', password: B.password, verification_token: v.verification_token }));
    assert.match(reg.id, USER_ID);
    // RCDLoginAPI: 400 or 1000 -> not registered, 1001 -> wrong password
    assert.deepEqual((await ios(srv).req('POST', '/user/login', { region: '86', phone: newPhone(), password: B.password })).json, { code: 1000 });
    assert.deepEqual((await ios(srv).req('POST', '/user/login', { region: '86', phone: B.phone, password: 'wrong-1' })).json, { code: 1001 });
    const login = result(await c.req('POST', '/user/login', { region: '86', phone: B.phone, password: B.password }));
    types(login, { id: 'string', token: 'string' }, 'login');
    assert.equal(login.id, reg.id);
    B.id = login.id;
    assert.match(c.cookie, /^rong_auth_cookie=[^;]+;$/, 'iOS keeps "name=value;"');
    const me = result(await c.req('GET', `/user/${B.id}`));
    assert.deepEqual([me.id, me.nickname, me.gender, me.stAccount, me.portraitUri], [B.id, 'Bea', 'male', '', '']);
    assert.equal(result(await c.req('GET', '/user/get_poke')).pokeStatus, 1);
  });

  test('older iOS: get_token answers {id, token} (RCDLoginAPI reads id)', async () => {
    const t = result(await B.c.req('GET', '/user/get_token'));
    types(t, { id: 'string', token: 'string' }, 'get_token');
    assert.equal(t.id, B.id);
  });

  test('older iOS: find/:region/:phone also carries gender and stAccount (RCDUserInfoAPI reads them)', async () => {
    const f = result(await B.c.req('GET', `/user/find/86/${A.phone}`));
    assert.deepEqual(f, { id: A.id, nickname: A.nickname, portraitUri: 'https://img.example.com/p?a=1&b=2', gender: 'female', stAccount: `andy_${A.phone.slice(-6)}` });
  });

  test('older iOS: logout is a POST without body or Content-Type; the cleared cookie "rong_auth_cookie=;" is not signed in', async () => {
    const c = ios(srv);
    result(await c.req('POST', '/user/login', { region: '86', phone: B.phone, password: B.password }));
    const r = await c.req('POST', '/user/logout');
    assert.equal(r.sent, 'POST /user/logout ');
    okNoResult(r);
    assert.equal(c.cookie, 'rong_auth_cookie=;');
    notLoggedIn(await c.req('GET', '/user/get_token'));
    notLoggedIn(await c.req('GET', '/user/get_privacy'));
    // the other session of the same user is untouched
    assert.equal(result(await B.c.req('GET', `/user/${B.id}`)).id, B.id);
  });

  test('current Android (SMS sign-in since 2021-04): send_code_yp -> verify_code_register {region, phone, code} for a new phone', async () => {
    // the 2021-2023 shape: no picture code, no channel/os/version (those come in 2023, see the last test)
    const c = android(srv);
    C.phone = newPhone(); C.c = c;
    const mark = srv.logs().length;
    okNoResult(await c.req('POST', '/user/send_code_yp', { region: '+86', phone: C.phone }));
    const code = await smsCode(C.phone, mark);
    const r = await c.req('POST', '/user/verify_code_register', { region: '86', phone: C.phone, code });
    const s = result(r);
    types(s, { id: 'string', token: 'string', nickName: 'string' }, 'verify_code_register');
    assert.match(s.id, USER_ID);
    assert.ok(s.nickName.length > 0, 'a new account gets a default nickname');
    C.id = s.id;
    assert.equal(c.cookies.length, 1);
    assert.match(c.cookies[0], /^rong_auth_cookie=[^;]+; /);
    const im = await imProfile(s.token);
    assert.equal(im.json.code, 200, im.text);
    assert.equal(im.json.data.mobile, C.phone);
    // signed in: the app's next calls
    const me = result(await c.req('GET', `/user/${C.id}`));
    assert.deepEqual([me.id, me.nickname, me.phone, me.gender], [C.id, s.nickName, C.phone, 'male']);
    const t = result(await c.req('GET', '/user/get_token'));
    types(t, { id: 'string', token: 'string' }, 'get_token');
    assert.equal(t.id, C.id);
    assert.deepEqual(result(await c.req('GET', '/user/get_privacy')), { phoneVerify: 1, stSearchVerify: 1, friVerify: 1, groupVerify: 1 });
    // the code is used up
    assert.notEqual((await android(srv).req('POST', '/user/verify_code_register', { region: '86', phone: C.phone, code })).json?.code, 200);
  });

  test('find_user answers what the apps read (Android SearchFriendInfo, iOS RCDUserInfo): id, nickname, portraitUri, gender, stAccount', async () => {
    const c = A.c; // Android's searchFriend: @GET find_user with @QueryMap(encoded = true)
    const f = result(await c.req('GET', `/user/find_user?region=86&phone=${B.phone}`));
    assert.deepEqual(f, { id: B.id, nickname: 'Bea', gender: 'male', portraitUri: '', stAccount: '' });
    okNoResult(await B.c.req('POST', '/user/set_st_account', { stAccount: `bea_${B.phone.slice(-6)}` }));
    const byAccount = result(await c.req('GET', `/user/find_user?st_account=bea_${B.phone.slice(-6)}`));
    assert.deepEqual(byAccount, { id: B.id, nickname: 'Bea', gender: 'male', portraitUri: '', stAccount: `bea_${B.phone.slice(-6)}` });
  });

  test('find_user: 404 "Unknown user." for an unknown or hidden user (both apps take a 200 for a find)', async () => {
    const c = A.c;
    okNoResult(await B.c.req('POST', '/user/set_st_account', { stAccount: `bea_${B.phone.slice(-6)}` })); // (again: fine)
    assert.equal(result(await c.req('GET', `/user/find/86/${B.phone}`)).id, B.id);
    plain(await c.req('GET', `/user/find_user?region=86&phone=${newPhone()}`), 404, 'Unknown user.');
    plain(await c.req('GET', '/user/find_user?st_account=nobody_here'), 404, 'Unknown user.');
    // iOS: RCDUserSetting switches, one flag per call
    okNoResult(await B.c.req('POST', '/user/set_privacy', { phoneVerify: 0 }));
    okNoResult(await B.c.req('POST', '/user/set_privacy', { stSearchVerify: 0 }));
    plain(await c.req('GET', `/user/find_user?region=86&phone=${B.phone}`), 404, 'Unknown user.');
    plain(await c.req('GET', `/user/find_user?st_account=bea_${B.phone.slice(-6)}`), 404, 'Unknown user.');
    okNoResult(await B.c.req('POST', '/user/set_privacy', { phoneVerify: 1 }));
    okNoResult(await B.c.req('POST', '/user/set_privacy', { stSearchVerify: 1 }));
    assert.equal(result(await c.req('GET', `/user/find_user?region=86&phone=${B.phone}`)).id, B.id);
  });

  test('current iOS (5.1.1+): pic_code, send_code_yp with picCode/picCodeId, verify_code_register for a new phone', async () => {
    const c = ios(srv);
    D.phone = newPhone(); D.c = c;
    const pic = await picture(c);
    const mark = srv.logs().length;
    okNoResult(await c.req('POST', '/user/send_code_yp', { region: '86', phone: D.phone, picCodeId: pic.picCodeId, picCode: pic.picCode }));
    const s = result(await c.req('POST', '/user/verify_code_register', { region: '86', phone: D.phone, code: await smsCode(D.phone, mark) }));
    types(s, { id: 'string', token: 'string', nickName: 'string' }, 'verify_code_register');
    D.id = s.id;
    assert.match(c.cookie, /^rong_auth_cookie=[^;]+;$/);
    const t = result(await c.req('GET', '/user/get_token'));
    assert.equal(t.id, D.id);
    types(t, { token: 'string' }, 'get_token');
    const me = result(await c.req('GET', `/user/${D.id}`));
    types(me, { nickname: 'string', portraitUri: 'string', stAccount: 'string', gender: 'string' }, 'user/:id');
  });

  test('current iOS without a picture code sends picCode and picCodeId as "" (picture codes not required by default)', async () => {
    const c = ios(srv);
    const phone = newPhone();
    const mark = srv.logs().length;
    okNoResult(await c.req('POST', '/user/send_code_yp', { region: '86', phone, picCodeId: '', picCode: '' }));
    assert.match(await smsCode(phone, mark), /^\d{6}$/);
  });

  test('favgroups items carry isMute and certiStatus (iOS computes "needs certification"); groups carry numbers', async () => {
    const did = accountId(srv, B.phone);
    const app = srv.defaultApp.app_id;
    const at = Date.now();
    const g = Number(sql(srv,
      `INSERT INTO chat_groups (app_id, name, portrait_uri, creator_id, member_count, max_member_count, is_mute, certi_status, member_protection, is_deleted, created_at, updated_at) ` +
      `VALUES ('${app}', 'Fans', '', ${did}, 1, 500, 1, 1, 0, 0, ${at}, ${at}) RETURNING id`));
    sql(srv, `INSERT INTO group_members (group_id, member_id, role, display_name, is_deleted, created_at, updated_at) VALUES (${g}, ${did}, 0, '', 0, ${at}, ${at})`);
    sql(srv, `INSERT INTO group_favs (account_id, group_id, created_at) VALUES (${did}, ${g}, ${at})`);
    const groups = result(await B.c.req('GET', '/user/groups'));
    assert.equal(groups.length, 1);
    types(groups[0].group, { id: 'string', memberCount: 'number', maxMemberCount: 'number', isMute: 'number', certiStatus: 'number', creatorId: 'string' }, 'groups[0].group');
    const fav = result(await B.c.req('GET', '/user/favgroups'));
    assert.equal(fav.total, 1);
    const item = fav.list[0];
    const iso = new Date(at).toISOString();
    assert.deepEqual(item, {
      id: groups[0].group.id, name: 'Fans', portraitUri: '', creatorId: B.id, memberCount: 1, maxMemberCount: 500,
      memberProtection: 0, isMute: 1, certiStatus: 1, createdAt: iso, updatedAt: iso, createdTime: at, updatedTime: at,
    });
  });

  test('current apps delete the account: iOS POST /user/del (no body), Android GET /user/del', async () => {
    // iOS (RCDLoginAPI removeAccount): POST with nil parameters
    const e = await passwordSignUp(ios(srv), '86', 'Eve');
    const t = result(await e.c.req('GET', '/user/get_token'));
    const r = await e.c.req('POST', '/user/del');
    assert.equal(r.sent, 'POST /user/del ');
    okNoResult(r);
    notLoggedIn(await e.c.req('GET', '/user/get_privacy'));
    assert.equal((await imProfile(t.token)).json.code, 10008, 'the IM tokens end with the account');
    plain(await A.c.req('GET', `/user/find_user?region=86&phone=${e.phone}`), 404, 'Unknown user.');
    assert.equal(result(await A.c.req('POST', '/user/check_phone_available', { region: '+86', phone: e.phone })), true);
    assert.deepEqual((await ios(srv).req('POST', '/user/login', { region: '86', phone: e.phone, password: e.password })).json, { code: 1000 });
    // Android (2023+): UserService.deleteAccount is @GET("/user/del")
    const f = await passwordSignUp(android(srv), '+86', 'Fay');
    const ft = result(await f.c.req('POST', '/user/login', { region: '86', phone: f.phone, password: f.password })).token;
    okNoResult(await f.c.req('GET', '/user/del'));
    notLoggedIn(await f.c.req('GET', '/user/get_privacy'));
    assert.equal((await imProfile(ft)).json.code, 10008);
  });

  test('issue 18 routes of the current server: updateUser (any subset) and getUserInfo by id or phone', async () => {
    const c = A.c;
    okNoResult(await c.req('POST', '/user/updateUser', { nickname: 'Andy3', gender: 'male', pokeStatus: 1, friVerify: 1 }));
    const me = result(await c.req('GET', `/user/${A.id}`));
    assert.deepEqual([me.nickname, me.gender], ['Andy3', 'male']);
    assert.deepEqual(result(await c.req('GET', '/user/get_poke')), { pokeStatus: 1 });
    assert.equal(result(await c.req('GET', '/user/get_privacy')).friVerify, 1);
    A.nickname = 'Andy3';
    const info = { id: A.id, nickname: 'Andy3', portraitUri: 'https://img.example.com/p?a=1&b=2', gender: 'male', stAccount: `andy_${A.phone.slice(-6)}` };
    assert.deepEqual(result(await B.c.req('GET', `/user/getUserInfo?id=${A.id}`)), info);
    assert.deepEqual(result(await B.c.req('GET', `/user/getUserInfo?region=86&phone=${A.phone}`)), info);
  });

  test('registered phones sign in with an SMS code too (Android 2023+ with picture code and channel/os/version; iOS 5.1.1+); the password still works', async () => {
    // A and B verified their sign-up codes (used up), so they may ask for a new code at once
    const a = android(srv);
    const pa = await picture(a);
    let mark = srv.logs().length;
    okNoResult(await a.req('POST', '/user/send_code_yp', { region: '+86', phone: A.phone, ...pa }));
    const sa = result(await a.req('POST', '/user/verify_code_register',
      { region: '86', phone: A.phone, code: await smsCode(A.phone, mark), channel: 'none', os: 'android', version: '5.6.3' }));
    assert.deepEqual([sa.id, sa.nickName, typeof sa.token], [A.id, A.nickname, 'string']);
    assert.equal(result(await a.req('GET', '/user/get_privacy')).phoneVerify, 1);
    assert.equal(result(await android(srv).req('POST', '/user/login', { region: '86', phone: A.phone, password: A.password })).id, A.id);

    const b = ios(srv);
    const pb = await picture(b);
    mark = srv.logs().length;
    okNoResult(await b.req('POST', '/user/send_code_yp', { region: '86', phone: B.phone, picCodeId: pb.picCodeId, picCode: pb.picCode }));
    const sb = result(await b.req('POST', '/user/verify_code_register', { region: '86', phone: B.phone, code: await smsCode(B.phone, mark) }));
    assert.deepEqual([sb.id, sb.nickName], [B.id, 'Bea']);
    assert.equal(result(await b.req('GET', '/user/get_token')).id, B.id);
    assert.equal(result(await ios(srv).req('POST', '/user/login', { region: '86', phone: B.phone, password: B.password })).id, B.id);
  });
});
