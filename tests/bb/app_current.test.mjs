// App face: the routes of the current SealTalk server that today's apps use
// (issue 18): pic_code, send_code_yp's picCode/picCodeId, the SMS sign-in
// verify_code_register, updateUser, del, getUserInfo; each route's error
// answers in their exact shapes. The apps' own wire shapes are replayed in
// app_clients.test.mjs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appClient, imClient, parseSetCookie, sleep } from './lib/harness.mjs';
import { startApp, post, signUp, newPhone, imAs, sql, notLoggedIn } from './app_lib.mjs';

const USER_ID = /^[0-9A-Za-z]{1,9}$/;
const text = (r, status, body) => {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'], /^text\/plain/);
  assert.equal(r.text, body);
};
const ok = (r) => { assert.deepEqual(r.json, { code: 200 }, r.text); return r; };
const answerOf = (srv, id) => sql(srv, `SELECT answer FROM captchas WHERE id = '${id.replace(/'/g, "''")}'`);

/** send_code_yp to phone and the code the capture server got. */
async function sendCode(ctx, c, phone, extra = {}) {
  ok(await post(c, '/user/send_code_yp', { region: '86', phone, ...extra }));
  return ctx.sms.lastCode(phone);
}

describe('app face: the current apps\' routes (default settings)', () => {
  let ctx, a;
  before(async () => {
    ctx = await startApp();
    a = await signUp(ctx, { nickname: 'Ada' });
  });
  after(async () => { a.c.close(); await ctx.stop(); });

  test('GET /user/pic_code: {picCode: a base64 PNG, picCodeId}; a fresh code each time; GET only', async () => {
    const c = appClient(ctx.srv);
    const r = await c.req('GET', '/user/pic_code');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(r.json), ['code', 'result']);
    assert.deepEqual(Object.keys(r.json.result).sort(), ['picCode', 'picCodeId']);
    const { picCode, picCodeId } = r.json.result;
    assert.match(picCode, /^[A-Za-z0-9+/]+={0,2}$/, 'plain base64 (Android: Base64.decode NO_WRAP)');
    const png = Buffer.from(picCode, 'base64');
    assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [120, 40]); // IHDR width, height
    assert.match(picCodeId, /^[A-Za-z0-9_-]{22}$/);
    assert.match(answerOf(ctx.srv, picCodeId), /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$/);
    const again = (await c.req('GET', '/user/pic_code')).json.result;
    assert.notEqual(again.picCodeId, picCodeId);
    // the id also serves the document's PNG route, like a get_sms_img_code id
    const img = await c.req('GET', `/user/sms_img_code/${picCodeId}.png`);
    assert.deepEqual([img.status, img.headers['content-type']], [200, 'image/png']);
    text(await c.req('POST', '/user/pic_code', { body: {} }), 405, 'Method not allowed.');
    c.close();
  });

  test('send_code_yp checks {picCodeId, picCode} as {verifyId, verifyCode}: used up by any check', async () => {
    const c = appClient(ctx.srv);
    const pic = (await c.req('GET', '/user/pic_code')).json.result;
    const answer = answerOf(ctx.srv, pic.picCodeId);
    const p1 = newPhone();
    const n = ctx.sms.messages.length;
    // a wrong answer: {code:1000}, nothing sent, and the picture code is spent
    assert.deepEqual((await post(c, '/user/send_code_yp', { region: '86', phone: p1, picCodeId: pic.picCodeId, picCode: 'ZZZZ' })).json, { code: 1000 });
    assert.deepEqual((await post(c, '/user/send_code_yp', { region: '86', phone: p1, picCodeId: pic.picCodeId, picCode: answer })).json, { code: 1000 });
    assert.equal(ctx.sms.messages.length, n);
    // a right answer, any case
    const pic2 = (await c.req('GET', '/user/pic_code')).json.result;
    ok(await post(c, '/user/send_code_yp', { region: '+86', phone: p1, picCodeId: pic2.picCodeId, picCode: answerOf(ctx.srv, pic2.picCodeId).toLowerCase() }));
    assert.equal(ctx.sms.messages.length, n + 1);
    // both namings naming the same code are fine; naming two codes is refused
    const pic3 = (await c.req('GET', '/user/pic_code')).json.result;
    const a3 = answerOf(ctx.srv, pic3.picCodeId);
    ok(await post(c, '/user/send_code_yp', { region: '86', phone: newPhone(), picCodeId: pic3.picCodeId, picCode: a3, verifyId: pic3.picCodeId, verifyCode: a3 }));
    const pic4 = (await c.req('GET', '/user/pic_code')).json.result;
    text(await post(c, '/user/send_code_yp', { region: '86', phone: newPhone(), picCodeId: pic4.picCodeId, picCode: 'AAAA', verifyId: pic.picCodeId, verifyCode: 'AAAA' }),
      400, 'picCodeId and verifyId name different picture codes.');
    for (const [body, msg] of [
      [{ picCodeId: 5, picCode: 'AAAA' }, 'picCodeId must be a string'],
      [{ picCodeId: pic4.picCodeId, picCode: 7 }, 'picCode must be a string'],
      [{ picCodeId: 'x'.repeat(65), picCode: 'AAAA' }, 'picCodeId must be 0 to 64 bytes'],
    ]) text(await post(c, '/user/send_code_yp', { region: '86', phone: newPhone(), ...body }), 400, msg);
    // "" (the current iOS without a picture) is no picture code: not checked, picCode ignored
    ok(await post(c, '/user/send_code_yp', { region: '86', phone: newPhone(), picCodeId: '', picCode: 'ABCD' }));
    c.close();
  });

  test('verify_code_register: a new phone gets an account (no password, a default nickname), a session and an IM token', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    assert.deepEqual((await post(c, '/user/check_phone_available', { region: '86', phone })).json, { code: 200, result: true });
    const code = await sendCode(ctx, c, phone);
    const r = await post(c, '/user/verify_code_register', { region: '+86', phone, code, channel: 'none', os: 'android', version: '5.6.3' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['code', 'result']);
    assert.deepEqual(Object.keys(r.json.result).sort(), ['id', 'nickName', 'token']);
    const { id, token, nickName } = r.json.result;
    assert.match(id, USER_ID);
    assert.match(nickName, /^SealTalk\d{4}$/);
    assert.equal(r.setCookie.length, 1);
    const ck = parseSetCookie(r.setCookie[0]);
    assert.deepEqual([ck.name, ck.attrs], ['rong_auth_cookie', { path: '/', 'max-age': '2592000', httponly: true, samesite: 'Lax' }]);
    // signed in: the session and the IM token work
    assert.deepEqual((await c.req('GET', `/user/${id}`)).json.result,
      { id, nickname: nickName, portraitUri: '', gender: 'male', stAccount: '', phone });
    const im = imAs(ctx, token);
    assert.equal((await im.req('GET', '/user/profile')).json.data.mobile, phone);
    im.close();
    assert.deepEqual((await post(c, '/user/check_phone_available', { region: '86', phone })).json, { code: 200, result: false });
    // no password yet: a password login is a wrong password; reset_password sets one
    assert.deepEqual((await post(appClient(ctx.srv), '/user/login', { region: '86', phone, password: 'anything1' })).json, { code: 1001 });
    const vcode = await sendCode(ctx, c, phone); // the sign-in code was used up: the phone may ask again at once
    const v = (await post(c, '/user/verify_code_yp', { region: '86', phone, code: vcode })).json.result.verification_token;
    ok(await post(c, '/user/reset_password', { password: 'N3wpass', verification_token: v }));
    assert.equal((await post(appClient(ctx.srv), '/user/login', { region: '86', phone, password: 'N3wpass' })).json.result.id, id);
    c.close();
  });

  test('verify_code_register: an existing phone signs in to its account; its other sessions and password stay', async () => {
    const b = await signUp(ctx, { nickname: 'Bob' });
    const c = appClient(ctx.srv);
    const code = await sendCode(ctx, c, b.phone);
    // Numbers where the apps may send them; a code that starts with 0 has no number that says it.
    const r = await post(c, '/user/verify_code_register', { region: 86, phone: Number(b.phone), code: code.startsWith('0') ? code : Number(code) });
    assert.deepEqual([r.json.code, r.json.result.id, r.json.result.nickName], [200, b.id, 'Bob']);
    assert.equal((await c.req('GET', '/user/get_privacy')).json.code, 200);
    assert.equal((await b.c.req('GET', '/user/get_privacy')).json.code, 200, 'the older session stays');
    const im = imAs(ctx, b.imToken);
    assert.equal((await im.req('GET', '/user/profile')).json.code, 200, 'and its IM token');
    im.close();
    assert.equal((await post(appClient(ctx.srv), '/user/login', { region: '86', phone: b.phone, password: b.password })).json.result.id, b.id);
    // the nickname is shown as the face shows every nickname (HTML-escaped)
    ok(await post(b.c, '/user/set_nickname', { nickname: 'B&b' }));
    const again = await post(c, '/user/verify_code_register', { region: '86', phone: b.phone, code: await sendCode(ctx, c, b.phone) });
    assert.equal(again.json.result.nickName, 'B&amp;b');
    b.c.close(); c.close();
  });

  test('verify_code_register: bad requests are 400 in the face\'s words; codes as verify_code_yp checks them', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    text(await c.req('POST', '/user/verify_code_register'), 400, 'a JSON body is required');
    text(await post(c, '/user/verify_code_register', [1]), 400, 'The body must be a JSON object.');
    for (const body of [{ phone, code: '123456' }, { region: '86', phone: '12345', code: '123456' }, { region: 'x', phone, code: '1' }])
      text(await post(c, '/user/verify_code_register', body), 400, 'Invalid region and phone number.');
    for (const code of [undefined, '', null, true, 'x'.repeat(17)])
      text(await post(c, '/user/verify_code_register', { region: '86', phone, code }), 400, 'Invalid verification code.');
    for (const key of ['channel', 'os', 'version']) {
      text(await post(c, '/user/verify_code_register', { region: '86', phone, code: '1', [key]: 5 }), 400, `Invalid ${key}.`);
      text(await post(c, '/user/verify_code_register', { region: '86', phone, code: '1', [key]: 'v'.repeat(65) }), 400, `Invalid ${key}.`);
    }
    // no code was sent to the phone
    text(await post(c, '/user/verify_code_register', { region: '86', phone, code: '123456' }), 404, 'Unknown phone number.');
    const code = await sendCode(ctx, c, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    assert.deepEqual((await post(c, '/user/verify_code_register', { region: '86', phone, code: wrong })).json, { code: 1000 });
    const used = await post(c, '/user/verify_code_register', { region: '86', phone, code });
    assert.equal(used.json.code, 200);
    // a code is used once, by either route
    text(await post(c, '/user/verify_code_register', { region: '86', phone, code }), 404, 'Unknown phone number.');
    text(await post(c, '/user/verify_code_yp', { region: '86', phone, code }), 404, 'Unknown phone number.');
    // sms.max_tries (5) wrong tries kill the code: {code:2000} then, even for the right one, and nothing signs in
    const p2 = newPhone();
    const c2 = await sendCode(ctx, c, p2);
    const w2 = c2 === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) assert.deepEqual((await post(c, '/user/verify_code_register', { region: '86', phone: p2, code: w2 })).json, { code: 1000 });
    const dead = await post(c, '/user/verify_code_register', { region: '86', phone: p2, code: c2 });
    assert.deepEqual([dead.json, dead.setCookie], [{ code: 2000 }, []]);
    assert.deepEqual((await post(c, '/user/check_phone_available', { region: '86', phone: p2 })).json, { code: 200, result: true });
    text(await c.req('GET', '/user/verify_code_register'), 405, 'Method not allowed.');
    c.close();
  });

  test('verify_code_register: a phone set on the IM face (no region) is not signed in to by a code: 400, the code stays', async () => {
    const im = imClient(ctx.srv, ctx.srv.defaultApp);
    const username = `imu_${process.pid}`;
    assert.equal((await im.req('POST', '/user/register/v2', { body: { username, password: 'secret123' } })).json.code, 200);
    const t = (await im.req('POST', '/token/user', { body: { name: username, password: 'secret123' } })).json.data.token;
    const me = imAs(ctx, t);
    const phone = newPhone();
    assert.equal((await me.req('POST', '/user/mobile', { query: { mobile: phone } })).json.code, 200);
    const c = appClient(ctx.srv);
    const code = await sendCode(ctx, c, phone);
    const r = await post(c, '/user/verify_code_register', { region: '86', phone, code });
    text(r, 400, 'Phone number has already existed.');
    assert.deepEqual(r.setCookie, []);
    assert.equal((await me.req('GET', '/user/profile')).json.data.username, username);
    // the code was not used up by the refusal
    assert.equal((await post(c, '/user/verify_code_yp', { region: '86', phone, code })).json.code, 200);
    im.close(); me.close(); c.close();
  });

  test('verify_code_register: a disabled account is refused (403 Account disabled.) and its code stays', async () => {
    const d = await signUp(ctx, { nickname: 'Dee' });
    const did = Number(sql(ctx.srv, `SELECT id FROM accounts WHERE mobile = '${d.phone}'`));
    const admin = imClient(ctx.srv, ctx.srv.defaultApp, ctx.srv.defaultApp.admin_token);
    assert.equal((await admin.req('PUT', '/user/disable', { body: { list: [did] } })).json.code, 200);
    const c = appClient(ctx.srv);
    const code = await sendCode(ctx, c, d.phone);
    text(await post(c, '/user/verify_code_register', { region: '86', phone: d.phone, code }), 403, 'Account disabled.');
    assert.equal((await admin.req('PUT', '/user/enable', { body: { list: [did] } })).json.code, 200);
    assert.equal((await post(c, '/user/verify_code_register', { region: '86', phone: d.phone, code })).json.result.id, d.id);
    admin.close(); c.close(); d.c.close();
  });

  test('updateUser: any subset, each field checked as its own route checks it, all or nothing', async () => {
    const u = await signUp(ctx, { nickname: 'Uma' });
    const v0 = (await u.c.req('GET', '/user/sync/0')).json.result.version;
    await sleep(3);
    ok(await post(u.c, '/user/updateUser', {
      nickname: 'Uma 2', portraitUri: 'https://img.example.com/u.png', gender: 'female',
      phoneVerify: 0, stSearchVerify: 1, friVerify: 0, groupVerify: 1, pokeStatus: 0,
    }));
    const me = (await u.c.req('GET', `/user/${u.id}`)).json.result;
    assert.deepEqual([me.nickname, me.portraitUri, me.gender], ['Uma 2', 'https://img.example.com/u.png', 'female']);
    assert.deepEqual((await u.c.req('GET', '/user/get_privacy')).json.result, { phoneVerify: 0, stSearchVerify: 1, friVerify: 0, groupVerify: 1 });
    assert.deepEqual((await u.c.req('GET', '/user/get_poke')).json.result, { pokeStatus: 0 });
    const s = (await u.c.req('GET', `/user/sync/${v0}`)).json.result;
    assert.equal(s.user.nickname, 'Uma 2', 'the change moves the account\'s sync version');
    // null fields are left alone; one field at a time works
    ok(await post(u.c, '/user/updateUser', { nickname: null, friVerify: 1 }));
    assert.equal((await u.c.req('GET', '/user/get_privacy')).json.result.friVerify, 1);
    for (const [body, msg] of [
      [{}, 'Nothing to update.'],
      [{ unknown: 1 }, 'Nothing to update.'],
      [{ nickname: '' }, 'Invalid nickname length.'],
      [{ nickname: 'n'.repeat(33) }, 'Invalid nickname length.'],
      [{ nickname: 5 }, 'Invalid nickname length.'],
      [{ portraitUri: 'http://a.b' }, 'Invalid portraitUri length.'],
      [{ portraitUri: 'ftp://img.example.com/u.png' }, 'Invalid portraitUri format.'],
      [{ gender: 'other' }, 'Invalid gender.'],
      [{ phoneVerify: 2 }, 'Invalid phoneVerify: 0 or 1.'],
      [{ groupVerify: '1' }, 'Invalid groupVerify: 0 or 1.'],
      [{ pokeStatus: true }, 'Invalid pokeStatus: 0 or 1.'],
      // one bad field: nothing changes, the good ones neither
      [{ nickname: 'Never', gender: 'x' }, 'Invalid gender.'],
      [{ gender: 'male', pokeStatus: 3 }, 'Invalid pokeStatus: 0 or 1.'],
    ]) text(await post(u.c, '/user/updateUser', body), 400, msg);
    text(await post(u.c, '/user/updateUser', '[]'), 400, 'The body must be a JSON object.');
    const after = (await u.c.req('GET', `/user/${u.id}`)).json.result;
    assert.deepEqual([after.nickname, after.gender], ['Uma 2', 'female']);
    assert.deepEqual((await u.c.req('GET', '/user/get_poke')).json.result, { pokeStatus: 0 });
    text(await u.c.req('GET', '/user/updateUser'), 405, 'Method not allowed.');
    u.c.close();
  });

  test('getUserInfo by id or by phone: {id, nickname, portraitUri, gender, stAccount}; 400 and 404 as the face words them', async () => {
    const g = await signUp(ctx, { nickname: 'Gil' });
    const info = { id: g.id, nickname: 'Gil', portraitUri: '', gender: 'male', stAccount: '' };
    assert.deepEqual((await a.c.req('GET', `/user/getUserInfo?id=${g.id}`)).json, { code: 200, result: info });
    assert.deepEqual((await a.c.req('GET', `/user/getUserInfo?region=86&phone=${g.phone}`)).json, { code: 200, result: info });
    assert.deepEqual((await a.c.req('GET', `/user/getUserInfo?region=%2B86&phone=${g.phone}`)).json, { code: 200, result: info });
    text(await a.c.req('GET', '/user/getUserInfo'), 400, 'Empty parameter: id, or region and phone.');
    text(await a.c.req('GET', '/user/getUserInfo?region=86'), 400, 'Empty parameter: id, or region and phone.');
    text(await a.c.req('GET', '/user/getUserInfo?id='), 400, 'Empty parameter: id, or region and phone.');
    text(await a.c.req('GET', '/user/getUserInfo?region=86&phone=12345'), 400, 'Invalid region and phone number.');
    text(await a.c.req('GET', '/user/getUserInfo?id=zzzzzzzzz'), 404, 'Unknown user.');
    text(await a.c.req('GET', '/user/getUserInfo?id=not-an-id!'), 404, 'Unknown user.');
    text(await a.c.req('GET', `/user/getUserInfo?region=86&phone=${newPhone()}`), 404, 'Unknown user.');
    // by phone honours phoneVerify (as find does); by id it does not (as /user/:id)
    ok(await post(g.c, '/user/set_privacy', { phoneVerify: 0 }));
    text(await a.c.req('GET', `/user/getUserInfo?region=86&phone=${g.phone}`), 404, 'Unknown user.');
    assert.deepEqual((await g.c.req('GET', `/user/getUserInfo?region=86&phone=${g.phone}`)).json.result, info);
    assert.deepEqual((await a.c.req('GET', `/user/getUserInfo?id=${g.id}`)).json.result, info);
    text(await post(a.c, '/user/getUserInfo', {}), 405, 'Method not allowed.');
    g.c.close();
  });

  test('del (POST, and GET for Android): the account and every credential go; a cross-site browser GET is refused', async () => {
    const e = await signUp(ctx, { nickname: 'Eve' });
    const second = appClient(ctx.srv);
    assert.equal((await post(second, '/user/login', { region: '86', phone: e.phone, password: e.password })).json.code, 200);
    // a page on another site cannot delete its visitor's account through a link (SameSite=Lax sends the cookie)
    text(await e.c.req('GET', '/user/del', { headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' } }),
      403, 'A browser deletes an account with POST.');
    text(await e.c.req('GET', '/user/del', { headers: { 'Sec-Fetch-Site': 'same-site' } }), 403, 'A browser deletes an account with POST.');
    assert.equal((await e.c.req('GET', '/user/get_poke')).json.code, 200);
    const r = ok(await e.c.req('POST', '/user/del'));
    assert.equal(r.setCookie.length, 1);
    assert.equal(parseSetCookie(r.setCookie[0]).attrs['max-age'], '0');
    notLoggedIn(await second.req('GET', '/user/get_poke'), 'the other session ends too');
    const im = imAs(ctx, e.imToken);
    assert.equal((await im.req('GET', '/user/profile')).json.code, 10008);
    im.close();
    text(await a.c.req('GET', `/user/${e.id}`), 404, 'Unknown user.');
    assert.deepEqual((await post(a.c, '/user/check_phone_available', { region: '86', phone: e.phone })).json, { code: 200, result: true });
    assert.deepEqual((await post(appClient(ctx.srv), '/user/login', { region: '86', phone: e.phone, password: e.password })).json, { code: 1000 });
    // Android's GET (no Sec-Fetch-Site), and a browser's own same-origin GET
    const f = await signUp(ctx, { nickname: 'Fay' });
    ok(await f.c.req('GET', '/user/del'));
    notLoggedIn(await f.c.req('GET', '/user/get_poke'));
    const h = await signUp(ctx, { nickname: 'Hal' });
    ok(await h.c.req('GET', '/user/del', { headers: { 'Sec-Fetch-Site': 'same-origin' } }));
    for (const m of ['GET', 'POST']) notLoggedIn(await appClient(ctx.srv).req(m, '/user/del'));
    text(await e.c.req('PUT', '/user/del'), 405, 'Method not allowed.');
    second.close(); e.c.close(); f.c.close(); h.c.close();
  });
});

describe('app face: picture codes required and few per IP (settings)', () => {
  let ctx;
  before(async () => { ctx = await startApp({ USERD_SMS_CAPTCHA_REQUIRED: 'true', USERD_CAPTCHA_IP_HOURLY_LIMIT: '3' }); });
  after(async () => { await ctx.stop(); });

  test('sms.captcha_required: a send without a picture code, or with picCodeId "", is {code:1000}; pic_code counts in captcha.ip_hourly_limit', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    for (const extra of [{}, { picCodeId: '', picCode: '' }])
      assert.deepEqual((await post(c, '/user/send_code_yp', { region: '86', phone, ...extra })).json, { code: 1000 });
    assert.equal(ctx.sms.messages.length, 0);
    const pic = (await c.req('GET', '/user/pic_code')).json.result;
    ok(await post(c, '/user/send_code_yp', { region: '86', phone, picCodeId: pic.picCodeId, picCode: answerOf(ctx.srv, pic.picCodeId) }));
    assert.equal(ctx.sms.messages.length, 1);
    // pic_code and get_sms_img_code share the per-IP budget (3): the fourth is {code:3004}
    assert.equal((await c.req('GET', '/user/get_sms_img_code')).json.code, 200);
    assert.equal((await c.req('GET', '/user/pic_code')).json.code, 200);
    const over = await c.req('GET', '/user/pic_code');
    assert.deepEqual([over.status, over.json], [200, { code: 3004 }]);
    c.close();
  });
});

describe('app face: short-lived SMS codes (sms.code_ttl 1 s)', () => {
  let ctx;
  before(async () => { ctx = await startApp({ USERD_SMS_CODE_TTL: '1' }); });
  after(async () => { await ctx.stop(); });

  test('an expired code is {code:2000} for verify_code_register, and nothing signs in', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    const code = await sendCode(ctx, c, phone);
    await sleep(1100);
    const r = await post(c, '/user/verify_code_register', { region: '86', phone, code });
    assert.deepEqual([r.json, r.setCookie], [{ code: 2000 }, []]);
    assert.deepEqual((await post(c, '/user/check_phone_available', { region: '86', phone })).json, { code: 200, result: true });
    c.close();
  });
});
