// IM face, devices: device/list (cursor paging), device/remove, kick.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, imClient, sleep } from './lib/harness.mjs';
import { assertOk, assertError, assertTrue, assertToken, assertMe, assertTokenDead, newUser, login, adminAs } from './im_util.mjs';

const IOS = 'Demo/2.0 (iPhone; iOS 17.1)';
const ANDROID = 'Demo/2.0 (Linux; Android 14)';

/**
 * A device/list answer: exactly {code:200, version, message:'', cursor?, data}
 * in the document's order, cursor present only when there is a next page.
 * @returns {{version:number, cursor?:string, data:object[]}}
 */
function devList(r, { more = false } = {}) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ['code', 'version', 'message', ...(more ? ['cursor'] : []), 'data'], r.text);
  assert.equal(r.json.code, 200);
  assert.equal(r.json.message, '');
  assert.ok(Number.isSafeInteger(r.json.version) && r.json.version >= 0);
  if (more) assert.match(r.json.cursor, /^[1-9][0-9]*$/);
  return r.json;
}

describe('IM devices', () => {
  let srv, app, open;

  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
    open = imClient(srv, app);
  });
  after(async () => { open.close(); await srv.stop(); });

  /** A user signed in on three devices: tokens t[1..3] bound to device_sn 1..3. */
  async function threeDevices() {
    const u = await newUser(srv, app, { guid: 'phone-1', ua: IOS });
    const t = [null, u.token,
      await login(srv, app, u.name, u.password, { guid: 'phone-2', ua: ANDROID }),
      assertToken(await open.req('POST', '/token/login', { body: { login_name: u.name, password: u.password, device_guid: 'desk-3', platform: 4 } }), u.id).token];
    return { u, t, c: t.map((x) => x && imClient(srv, app, x)) };
  }

  test('device/list: {code, version, message, data} with every device the user signed in from', async () => {
    const { u, c } = await threeDevices();
    const r = await u.c.req('GET', '/user/device/list');
    devList(r); // no cursor: the last page
    assert.ok(r.json.version > 0);
    assert.deepEqual(r.json.data, [
      { device_sn: 1, platform: 1, user_agent: IOS, user_id: u.id },
      { device_sn: 2, platform: 2, user_agent: ANDROID, user_id: u.id },
      { device_sn: 3, platform: 4, user_agent: '', user_id: u.id },
    ]);
    // signing in again from a known device keeps its number
    await sleep(5);
    await login(srv, app, u.name, u.password, { guid: 'phone-2', ua: ANDROID });
    const again = devList(await u.c.req('GET', '/user/device/list'));
    assert.deepEqual(again.data, r.json.data);
    assert.ok(again.version > r.json.version, 'a sign-in is a change of the devices');
    // another user sees only their own
    const v = await newUser(srv, app);
    const rv = await v.c.req('GET', '/user/device/list');
    assert.deepEqual(rv.json, { code: 200, version: 0, message: '', data: [] });
    // an admin naming the user sees the same list
    const ra = await adminAs(srv, app, u.id).req('GET', '/user/device/list');
    assert.deepEqual(devList(ra), again);
    for (const x of [...c, u.c, v.c]) x?.close();
  });

  test('device/list pages with a cursor that is absent on the last page', async () => {
    const { u, c } = await threeDevices();
    const all = devList(await u.c.req('GET', '/user/device/list'));
    const p1 = devList(await u.c.req('GET', '/user/device/list', { query: { page_size: 2 } }), { more: true });
    assert.deepEqual(p1, { ...all, cursor: '2', data: all.data.slice(0, 2) });
    const p2 = devList(await u.c.req('GET', '/user/device/list', { query: { page_size: 2, cursor: p1.cursor } }));
    assert.deepEqual(p2, { ...all, data: all.data.slice(2) });
    const p3 = devList(await u.c.req('GET', '/user/device/list', { query: { page_size: 3 } }));
    assert.deepEqual(p3, all);
    const p4 = devList(await u.c.req('GET', '/user/device/list', { query: { page_size: 1, cursor: '1' } }), { more: true });
    assert.deepEqual(p4, { ...all, cursor: '2', data: [all.data[1]] });
    const past = devList(await u.c.req('GET', '/user/device/list', { query: { cursor: '3' } }));
    assert.deepEqual(past, { ...all, data: [] });
    for (const query of [{ cursor: 'abc' }, { cursor: '-1' }, { page_size: 0 }, { page_size: 201 }, { page_size: 'x' }])
      assertError(await u.c.req('GET', '/user/device/list', { query }), 10002);
    for (const x of [...c, u.c]) x?.close();
  });

  test('device/remove: the device goes, with its tokens; the others stay', async () => {
    const { u, c } = await threeDevices();
    const before = devList(await c[1].req('GET', '/user/device/list'));
    assertTrue(await c[1].req('POST', '/user/device/remove', { query: { device_sn: 2 } }));
    await assertTokenDead(c[2]);
    await assertMe(c[1], u);
    await assertMe(c[3], u);
    const list = devList(await c[1].req('GET', '/user/device/list'));
    assert.deepEqual(list.data, [before.data[0], before.data[2]]);
    assert.ok(list.version >= before.version);
    assertTrue(await c[1].req('DELETE', '/user/device/remove', { query: { device_sn: 3 } }));
    await assertTokenDead(c[3]);
    assert.deepEqual(devList(await c[1].req('GET', '/user/device/list')).data, [before.data[0]]);
    assertError(await c[1].req('POST', '/user/device/remove', { query: { device_sn: 3 } }), 10007);
    assertError(await c[1].req('POST', '/user/device/remove', { query: { device_sn: 99 } }), 10007);
    for (const query of [{}, { device_sn: 'x' }, { device_sn: 0 }, { device_sn: -2 }, { device_sn: 2 ** 31 }])
      assertError(await c[1].req('DELETE', '/user/device/remove', { query }), 10002);
    // another user cannot remove this user's device by number: it is theirs that is looked up
    const v = await newUser(srv, app);
    assertError(await v.c.req('POST', '/user/device/remove', { query: { device_sn: 1 } }), 10007);
    await assertMe(c[1], u);
    assert.deepEqual(devList(await c[1].req('GET', '/user/device/list')).data, [before.data[0]]);
    // signing in again from a removed device's guid makes a new device
    const back = imClient(srv, app, await login(srv, app, u.name, u.password, { guid: 'phone-2', ua: ANDROID }));
    const now = devList(await back.req('GET', '/user/device/list')).data;
    assert.equal(now.length, 2);
    assert.deepEqual(now[0], before.data[0]);
    assert.deepEqual(now[1], { device_sn: now[1].device_sn, platform: 2, user_agent: ANDROID, user_id: u.id });
    assert.ok(now[1].device_sn > 1);
    back.close();
    for (const x of [...c, u.c, v.c]) x?.close();
  });

  test('kick one device: its tokens stop working at once; the device stays listed and may sign in again', async () => {
    const { u, c } = await threeDevices();
    const before = devList(await c[3].req('GET', '/user/device/list'));
    assertTrue(await c[3].req('POST', '/user/kick', { query: { device_sn: 1 } }));
    await assertTokenDead(c[1]);
    await assertMe(c[2], u);
    await assertMe(c[3], u);
    assert.deepEqual(devList(await c[3].req('GET', '/user/device/list')).data, before.data);
    assertTrue(await c[3].req('PUT', '/user/kick', { query: { device_sn: 2 } }));
    await assertTokenDead(c[2]);
    const t = await login(srv, app, u.name, u.password, { guid: 'phone-1', ua: IOS });
    const back = imClient(srv, app, t);
    await assertMe(back, u);
    assert.deepEqual(devList(await back.req('GET', '/user/device/list')).data, before.data); // the same device_sn 1
    assertError(await c[3].req('POST', '/user/kick', { query: { device_sn: 77 } }), 10007);
    for (const query of [{ device_sn: 'one' }, { device_sn: 0 }, { device_sn: '' }])
      assertError(await c[3].req('POST', '/user/kick', { query }), 10002);
    back.close();
    for (const x of [...c, u.c]) x?.close();
  });

  test('issue 16: device_sn is read from a JSON body too (the web SDK sends it there); bad or disagreeing values end nothing', async () => {
    const { u, c } = await threeDevices();
    // bad values in the body: 10002, and every device stays signed in (null is no "absent": no kick of all)
    for (const body of [{ device_sn: null }, { device_sn: 'two' }, { device_sn: 1.5 }, { device_sn: true }, { device_sn: 0 },
      { device_sn: '' }, { device_sn: 2 ** 31 }, { device_sn: [2] }])
      assertError(await c[1].req('POST', '/user/kick', { body }), 10002);
    // the query's and the body's values must agree
    assertError(await c[1].req('POST', '/user/kick', { query: { device_sn: 2 }, body: { device_sn: 3 } }), 10002);
    assertError(await c[1].req('POST', '/user/kick', { body: { device_sn: 2, deviceSn: 3 } }), 10002);
    for (const x of [c[1], c[2], c[3]]) assertOk(await x.req('GET', '/user/profile'));
    // a number, or a numeric string, in the body kicks that device only
    assertTrue(await c[1].req('POST', '/user/kick', { body: { device_sn: 2 } }));
    assertError(await c[2].req('GET', '/user/profile'), 10008);
    assertOk(await c[1].req('GET', '/user/profile'));
    assertOk(await c[3].req('GET', '/user/profile'));
    assertTrue(await c[1].req('PUT', '/user/kick', { query: { deviceSn: 3 }, body: { device_sn: '3' } }));
    assertError(await c[3].req('GET', '/user/profile'), 10008);
    assertOk(await c[1].req('GET', '/user/profile'));
    assertError(await c[1].req('POST', '/user/kick', { body: { device_sn: 77 } }), 10007);
    // device/remove and device/list read the body the same way
    assertTrue(await c[1].req('DELETE', '/user/device/remove', { body: { device_sn: '3' } }));
    assertError(await c[1].req('POST', '/user/device/remove', { body: { device_sn: 3 } }), 10007);
    const page = await c[1].req('GET', '/user/device/list', { body: { page_size: 1 } });
    assert.deepEqual([page.json.data.map((d) => d.device_sn), page.json.cursor], [[1], '1']);
    assertError(await c[1].req('GET', '/user/device/list', { query: { page_size: 1 }, body: { page_size: 2 } }), 10002);
    for (const x of [...c, u.c]) x?.close();
  });

  test('kick with no device_sn: every token of the user dies, the caller\'s too', async () => {
    const { u, c } = await threeDevices();
    const bare = imClient(srv, app, await login(srv, app, u.name, u.password)); // a token without a device
    const v = await newUser(srv, app);
    const before = devList(await c[2].req('GET', '/user/device/list'));
    assertTrue(await c[2].req('POST', '/user/kick'));
    for (const x of [c[1], c[2], c[3], bare]) await assertTokenDead(x);
    await assertMe(v.c, v);
    const t = await login(srv, app, u.name, u.password, { guid: 'phone-2' });
    const back = imClient(srv, app, t);
    // the devices stay; the one signed in again keeps its number and takes
    // this sign-in's platform and User-Agent (none: web)
    assert.deepEqual(devList(await back.req('GET', '/user/device/list')).data,
      [before.data[0], { device_sn: 2, platform: 6, user_agent: '', user_id: u.id }, before.data[2]]);
    // an admin kicks all of a user's devices
    assertTrue(await adminAs(srv, app, u.id).req('PUT', '/user/kick'));
    await assertTokenDead(back);
    await assertMe(v.c, v);
    assertError(await adminAs(srv, app).req('PUT', '/user/kick'), 10002);
    for (const x of [...c, u.c, v.c, bare, back]) x?.close();
  });
});
