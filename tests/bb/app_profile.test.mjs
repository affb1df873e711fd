// App face: profile, privacy, finding users, picture codes, upload tokens, regions, routing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { appClient, httpRequest, rawHttp } from './lib/harness.mjs';
import { startApp, post, signUp, newPhone, imAs, sql, text, answer, assertVerified, notLoggedIn, PRIVACY_DEFAULT } from './app_lib.mjs';
import { assertOk as imOk } from './im_util.mjs';

const ok = (r) => answer(r, { code: 200 });

describe('app face: profile and lookups', () => {
  let ctx, a, b;
  before(async () => {
    ctx = await startApp({ USERD_SMS_RESEND_INTERVAL: '0' });
    a = await signUp(ctx, { nickname: 'Alice' });
    b = await signUp(ctx, { nickname: 'Bob' });
  });
  after(async () => { a.c.close(); b.c.close(); await ctx.stop(); });

  test('set_nickname: 1-32 characters, HTML-escaped, seen on the IM face', async () => {
    const set = (nickname) => post(a.c, '/user/set_nickname', { nickname });
    text(await set(''), 400, 'Invalid nickname length.');
    text(await set('x'.repeat(33)), 400, 'Invalid nickname length.');
    text(await set(42), 400, 'Invalid nickname length.');
    text(await set('tab\there'), 400, 'Invalid nickname length.');
    ok(await set(`<img src=x onerror="a('b')">&`));
    let r = await a.c.req('GET', `/user/${a.id}`);
    const escaped = '&lt;img src=x onerror=&#34;a(&#39;b&#39;)&#34;&gt;&amp;';
    assert.equal(r.json.result.nickname, escaped);
    ok(await set('Alice 二'));
    const im = imAs(ctx, a.imToken);
    assert.equal(imOk(await im.req('GET', '/user/profile')).nick_name, 'Alice 二');
    im.close();
    answer(await a.c.req('GET', `/user/${a.id}`), { code: 200, result: { id: a.id, nickname: 'Alice 二', portraitUri: '', gender: 'male', stAccount: '', phone: a.phone } });
  });

  test('set_portrait_uri: http(s) URL of 12-256 characters, seen on the IM face', async () => {
    const set = (portraitUri) => post(a.c, '/user/set_portrait_uri', { portraitUri });
    text(await set('http://a.b'), 400, 'Invalid portraitUri length.');
    text(await set('http://a.com/' + 'x'.repeat(244)), 400, 'Invalid portraitUri length.');
    text(await set('ftp://example.com/a.png'), 400, 'Invalid portraitUri format.');
    text(await set('javascript:alert(1)//x'), 400, 'Invalid portraitUri format.');
    text(await set('http://exa mple.com/a.png'), 400, 'Invalid portraitUri format.');
    text(await set('https://x.com/"><script>'), 400, 'Invalid portraitUri format.');
    text(await set(null), 400, 'Invalid portraitUri format.');
    ok(await set('http://a.com/' + 'x'.repeat(243)));
    ok(await set('https://test.com/user/abc123.jpg'));
    const r = await b.c.req('POST', `/user/${a.id}`);
    answer(r, { code: 200, result: { id: a.id, nickname: 'Alice 二', portraitUri: 'https://test.com/user/abc123.jpg', gender: 'male', stAccount: '', phone: a.phone } });
    const im = imAs(ctx, a.imToken);
    assert.equal(imOk(await im.req('GET', '/user/profile')).avatar, 'https://test.com/user/abc123.jpg');
    im.close();
  });

  test('set_gender and set_st_account', async () => {
    text(await post(a.c, '/user/set_gender', { gender: 'other' }), 400, 'Invalid gender.');
    text(await post(a.c, '/user/set_gender', {}), 400, 'Invalid gender.');
    ok(await post(a.c, '/user/set_gender', { gender: 'female' }));
    const st = 'al' + String(process.pid).slice(-6) + 'x_-';
    for (const bad of ['abcde', '1abcdef', 'abc.def', 'a'.repeat(21), '']) {
      text(await post(a.c, '/user/set_st_account', { stAccount: bad }), 400, 'Invalid stAccount.');
    }
    ok(await post(a.c, '/user/set_st_account', { stAccount: st }));
    ok(await post(a.c, '/user/set_st_account', { stAccount: st }));
    answer(await post(b.c, '/user/set_st_account', { stAccount: st }), { code: 1000 });
    const r = await b.c.req('GET', `/user/${a.id}`);
    assert.deepEqual(r.json, {
      code: 200,
      result: { id: a.id, nickname: 'Alice 二', portraitUri: 'https://test.com/user/abc123.jpg', gender: 'female', stAccount: st, phone: a.phone },
    });
  });

  test('privacy and poke: defaults, set, errors', async () => {
    answer(await b.c.req('GET', '/user/get_privacy'), { code: 200, result: PRIVACY_DEFAULT });
    answer(await b.c.req('GET', '/user/get_poke'), { code: 200, result: { pokeStatus: 1 } });
    text(await post(b.c, '/user/set_privacy', {}), 400, 'Empty privacy settings.');
    text(await post(b.c, '/user/set_privacy', { phoneVerify: 2 }), 400, 'Invalid phoneVerify: 0 or 1.');
    text(await post(b.c, '/user/set_privacy', { friVerify: '0' }), 400, 'Invalid friVerify: 0 or 1.');
    text(await post(b.c, '/user/set_privacy', { friVerify: 0, phoneVerify: 5 }), 400, 'Invalid phoneVerify: 0 or 1.');
    answer(await b.c.req('GET', '/user/get_privacy'), { code: 200, result: PRIVACY_DEFAULT }); // refused: nothing changed
    ok(await post(b.c, '/user/set_privacy', { friVerify: 0, groupVerify: 0 }));
    answer(await b.c.req('GET', '/user/get_privacy'), { code: 200, result: { ...PRIVACY_DEFAULT, friVerify: 0, groupVerify: 0 } });
    answer(await a.c.req('GET', '/user/get_privacy'), { code: 200, result: PRIVACY_DEFAULT }); // another user's are their own
    text(await post(b.c, '/user/set_poke', { pokeStatus: 3 }), 400, 'Invalid pokeStatus: 0 or 1.');
    text(await post(b.c, '/user/set_poke', {}), 400, 'Invalid pokeStatus: 0 or 1.');
    ok(await post(b.c, '/user/set_poke', { pokeStatus: 0 }));
    answer(await b.c.req('GET', '/user/get_poke'), { code: 200, result: { pokeStatus: 0 } });
  });

  test('/user/:id, batch, find and find_user honour the privacy flags', async () => {
    const c = await signUp(ctx, { nickname: 'Carol' });
    const brief = (u, nickname) => ({ id: u.id, nickname, portraitUri: '' });
    const found = (u, nickname, stAccount = '') => ({ ...brief(u, nickname), gender: 'male', stAccount }); // find, find_user
    text(await a.c.req('GET', '/user/zzzzzzzzz'), 404, 'Unknown user.');
    text(await a.c.req('GET', '/user/not-an-id'), 404, 'Unknown user.');
    let r = await a.c.req('GET', `/user/batch?id=${c.id}&id=${b.id}&id=zzzzzzzzz&id=${c.id}&id=bad!`);
    answer(r, { code: 200, result: [brief(c, 'Carol'), brief(b, 'Bob')] });
    text(await a.c.req('GET', '/user/batch'), 400, 'Empty id.');
    const many = Array.from({ length: 101 }, () => `id=${b.id}`).join('&');
    text(await a.c.req('GET', `/user/batch?${many}`), 400, 'Too many ids (at most 100).');

    for (const m of ['GET', 'POST']) answer(await a.c.req(m, `/user/find/86/${c.phone}`), { code: 200, result: found(c, 'Carol') });
    text(await a.c.req('GET', '/user/find/86/12345'), 400, 'Invalid region and phone number.');
    text(await a.c.req('GET', `/user/find/86/${newPhone()}`), 404, 'Unknown user.');
    r = await a.c.req('GET', `/user/find_user?region=86&phone=${c.phone}`);
    answer(r, { code: 200, result: found(c, 'Carol') });
    const st = 'carol' + String(process.pid).slice(-6);
    ok(await post(c.c, '/user/set_st_account', { stAccount: st }));
    answer(await a.c.req('GET', `/user/find_user?st_account=${st}`), { code: 200, result: found(c, 'Carol', st) });
    text(await a.c.req('GET', '/user/find_user?st_account=nobody1234'), 404, 'Unknown user.');
    text(await a.c.req('GET', `/user/find_user?region=86&phone=${newPhone()}`), 404, 'Unknown user.');
    text(await a.c.req('GET', '/user/find_user'), 400, 'Empty parameter: region and phone, or st_account.');
    text(await a.c.req('GET', '/user/find_user?region=86&phone=1'), 400, 'Empty parameter: region and phone, or st_account.');

    // Carol hides from phone and SealTalk-number search, and others no longer see her phone
    ok(await post(c.c, '/user/set_privacy', { phoneVerify: 0, stSearchVerify: 0 }));
    text(await a.c.req('GET', `/user/find/86/${c.phone}`), 404, 'Unknown user.');
    text(await a.c.req('GET', `/user/find_user?region=86&phone=${c.phone}`), 404, 'Unknown user.');
    text(await a.c.req('GET', `/user/find_user?st_account=${st}`), 404, 'Unknown user.');
    assert.equal((await a.c.req('GET', `/user/${c.id}`)).json.result.phone, '');
    assert.equal((await c.c.req('GET', `/user/${c.id}`)).json.result.phone, c.phone);
    answer(await c.c.req('GET', `/user/find/86/${c.phone}`), { code: 200, result: found(c, 'Carol', st) });
    answer(await c.c.req('GET', `/user/find_user?st_account=${st}`), { code: 200, result: found(c, 'Carol', st) });
    c.c.close();
  });

  test('get_image_token without the qiniu settings: a clear 500', async () => {
    for (const m of ['GET', 'POST']) text(await a.c.req(m, '/user/get_image_token'), 500, 'Image upload is not configured.');
  });

  test('get_sms_img_code: a PNG whose answer the next send_code checks, once', async () => {
    const c = appClient(ctx.srv);
    let r = await c.req('POST', '/user/get_sms_img_code');
    answer(r, { code: 200, result: { url: r.json?.result?.url, verifyId: r.json?.result?.verifyId } });
    const { url, verifyId } = r.json.result;
    assert.match(verifyId, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(url, `/user/sms_img_code/${verifyId}.png`);
    const png = await fetch(`http://127.0.0.1:${ctx.srv.app}${url}`);
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(bytes.readUInt32BE(16), 120); // width
    assert.equal(bytes.readUInt32BE(20), 40);  // height
    text(await c.req('GET', '/user/sms_img_code/nope.png'), 404, 'Unknown or expired picture code.');
    text(await c.req('GET', `/user/sms_img_code/${verifyId}.gif`), 404, 'Unknown or expired picture code.');

    // a human reads the picture (here: the store) and sends the answer with the SMS request
    const captcha = sql(ctx.srv, `SELECT answer FROM captchas WHERE id = '${verifyId}'`);
    assert.match(captcha, /^[2-9A-HJ-NP-Z]{4}$/);
    const phone = newPhone();
    const wrong = captcha === 'AAAA' ? 'BBBB' : 'AAAA';
    answer(await post(c, '/user/send_code', { region: 86, phone, verifyId, verifyCode: wrong }), { code: 1000 });
    // used up by the wrong try
    answer(await post(c, '/user/send_code', { region: 86, phone, verifyId, verifyCode: captcha }), { code: 1000 });
    text(await c.req('GET', url), 404, 'Unknown or expired picture code.');
    r = await c.req('GET', '/user/get_sms_img_code');
    const id2 = r.json.result.verifyId;
    answer(r, { code: 200, result: { url: `/user/sms_img_code/${id2}.png`, verifyId: id2 } });
    assert.notEqual(id2, verifyId);
    const answer2 = sql(ctx.srv, `SELECT answer FROM captchas WHERE id = '${id2}'`);
    const n = ctx.sms.messages.length;
    answer(await post(c, '/user/send_code', { region: 86, phone, verifyId: id2, verifyCode: answer2.toLowerCase() }), { code: 200 });
    assert.equal(ctx.sms.messages.length, n + 1);
    c.close();
  });

  test('regionlist: the 218 ITU calling codes, English and Chinese, no login', async () => {
    const c = appClient(ctx.srv);
    const r = await c.req('GET', '/user/regionlist');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['code', 'result']);
    assert.equal(r.json.code, 200);
    assert.equal(r.json.result.length, 218);
    assert.deepEqual(r.json.result[0], { region: '1', locale: { en: 'Canada', zh: '加拿大' } });
    assert.deepEqual(r.json.result.find((x) => x.region === '86'), { region: '86', locale: { en: 'China', zh: '中国' } });
    for (const x of r.json.result) {
      assert.deepEqual(Object.keys(x), ['region', 'locale']);
      assert.match(x.region, /^[1-9]\d{0,3}$/);
      assert.deepEqual(Object.keys(x.locale), ['en', 'zh']);
    }
    c.close();
  });

  test('every route but the open ones needs a session (403)', async () => {
    const c = appClient(ctx.srv);
    const closed = [['POST', '/user/logout'], ['POST', '/user/change_password'], ['POST', '/user/set_nickname'],
      ['POST', '/user/set_portrait_uri'], ['GET', '/user/blacklist'], ['POST', '/user/add_to_blacklist'],
      ['POST', '/user/remove_from_blacklist'], ['GET', '/user/get_token'], ['POST', '/user/get_token'],
      ['GET', '/user/get_image_token'], ['POST', '/user/groups'], ['GET', '/user/groups'], ['GET', '/user/sync/0'],
      ['POST', '/user/sync/0'], ['GET', `/user/find/86/${a.phone}`], ['GET', `/user/${a.id}`], ['GET', '/user/favgroups'],
      ['POST', '/user/set_st_account'], ['POST', '/user/set_gender'], ['POST', '/user/set_privacy'],
      ['GET', '/user/get_privacy'], ['POST', '/user/set_poke'], ['GET', '/user/get_poke'], ['GET', `/user/batch?id=${a.id}`],
      ['GET', `/user/find_user?st_account=abcdefg`], ['POST', '/user/updateUser'], ['POST', '/user/del'], ['GET', '/user/del'],
      ['GET', `/user/getUserInfo?id=${a.id}`]];
    for (const [m, p] of closed) notLoggedIn(await c.req(m, p, m === 'POST' ? { body: {} } : {}));
    c.close();
  });

  test('routing: 404, 405, body cap, keep-alive, no-store', async () => {
    text(await a.c.req('GET', '/nope'), 404, 'Not found.');
    // a 405 says in Allow what the path takes (a fixed path is not /user/:id)
    for (const [m, p, allow] of [['GET', '/user/login', 'POST'], ['POST', '/user/regionlist', 'GET'],
      ['PUT', '/user/set_gender', 'POST'], ['DELETE', `/user/${a.id}`, 'GET, POST'], ['PUT', '/user/get_token', 'GET, POST']]) {
      const r = await a.c.req(m, p, m === 'GET' ? {} : { body: { gender: 'male' } });
      text(r, 405, 'Method not allowed.');
      assert.equal(r.headers.allow, allow, `${m} ${p}`);
    }
    const r = await a.c.req('GET', '/user/get_poke');
    assert.equal(r.headers['cache-control'], 'no-store');
    const big = await httpRequest({ port: ctx.srv.app, method: 'POST', path: '/user/login', body: 'x'.repeat(2 * 1024 * 1024), headers: { 'Content-Type': 'application/json' } });
    text(big, 413, 'Request body too large.');
    const raw = await rawHttp(ctx.srv.app, 'GET /user/regionlist HTTP/1.1\r\nHost: x\r\n\r\nGET /user/regionlist HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(raw.match(/HTTP\/1\.1 200 OK\r\n/g).length, 2);
    assert.doesNotMatch(raw, /connection: close/i);
  });
});

describe('app face: upload tokens and required picture codes', () => {
  let ctx;
  before(async () => {
    ctx = await startApp({
      USERD_QINIU_ACCESS_KEY: 'ak', USERD_QINIU_SECRET_KEY: 'sk', USERD_QINIU_BUCKET: 'my-bucket',
      USERD_QINIU_DOMAIN: 'a.qiniu.com', USERD_SMS_CAPTCHA_REQUIRED: 'true', USERD_CAPTCHA_IP_HOURLY_LIMIT: '3',
      USERD_APP_PUBLIC_URL: 'https://api.example.com',
    });
  });
  after(async () => { await ctx.stop(); });

  test('get_image_token: a Qiniu upload token signed with the settings', async () => {
    // sign-up needs a picture code on this server
    const c = appClient(ctx.srv);
    let r = await c.req('GET', '/user/get_sms_img_code');
    const { verifyId, url } = r.json.result;
    assert.equal(url, `https://api.example.com/user/sms_img_code/${verifyId}.png`);
    const phone = newPhone();
    answer(await post(c, '/user/send_code', { region: 86, phone }), { code: 1000 });
    const captcha = sql(ctx.srv, `SELECT answer FROM captchas WHERE id = '${verifyId}'`);
    answer(await post(c, '/user/send_code', { region: 86, phone, verifyId, verifyCode: captcha }), { code: 200 });
    r = await post(c, '/user/verify_code', { region: 86, phone, code: ctx.sms.lastCode(phone) });
    r = await post(c, '/user/register', { nickname: 'Q', password: 'P@ssw0rd', verification_token: assertVerified(r) });
    answer(r, { code: 200, result: { id: r.json?.result?.id } });

    const before = Math.floor(Date.now() / 1000);
    r = await c.req('GET', '/user/get_image_token');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['code', 'result']);
    assert.equal(r.json.code, 200);
    assert.deepEqual(Object.keys(r.json.result), ['target', 'domain', 'token']);
    assert.equal(r.json.result.target, 'qiniu');
    assert.equal(r.json.result.domain, 'a.qiniu.com');
    const [ak, sign, encoded] = r.json.result.token.split(':');
    assert.equal(ak, 'ak');
    const policy = JSON.parse(Buffer.from(encoded, 'base64url').toString());
    assert.deepEqual(Object.keys(policy), ['scope', 'deadline']);
    assert.equal(policy.scope, 'my-bucket');
    assert.ok(policy.deadline >= before + 3600 && policy.deadline <= before + 3602, String(policy.deadline));
    const want = crypto.createHmac('sha1', 'sk').update(encoded).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
    assert.equal(sign, want);
    c.close();
  });

  test('picture codes per client IP per hour: {code:3004} above captcha.ip_hourly_limit', async () => {
    const c = appClient(ctx.srv);
    // one was used above; two more are allowed
    for (let i = 0; i < 2; i++) {
      const r = await c.req('POST', '/user/get_sms_img_code');
      answer(r, { code: 200, result: { url: `https://api.example.com/user/sms_img_code/${r.json?.result?.verifyId}.png`, verifyId: r.json?.result?.verifyId } });
    }
    answer(await c.req('POST', '/user/get_sms_img_code'), { code: 3004 });
    c.close();
  });
});
