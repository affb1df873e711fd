// IM face, profile: avatar, avatar/batch, nickname, mobile, public, private,
// profile GET/POST/PUT, profile/batch.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, imClient } from './lib/harness.mjs';
import {
  assertError, assertTrue, assertOk, assertProfileShape, assertToken, newUser, adminAs,
} from './im_util.mjs';

describe('IM profile', () => {
  let srv, app, open, admin;

  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
    open = imClient(srv, app);
    admin = imClient(srv, app, app.admin_token);
  });
  after(async () => { open.close(); admin.close(); await srv.stop(); });

  const profile = async (u) => { const d = assertOk(await u.c.req('GET', '/user/profile')); assertProfileShape(d); return d; };

  test('GET /user/profile shows every field, for the user and for an admin naming it', async () => {
    const u = await newUser(srv, app);
    assertTrue(await u.c.req('POST', '/user/profile', { body: { nick_name: 'Nick', description: 'about me', public_info: 'pub', private_info: 'priv' } }));
    assertTrue(await u.c.req('POST', '/user/avatar', { body: { avatar: 'https://cdn.example.com/a.png' } }));
    assertTrue(await u.c.req('POST', '/user/mobile', { query: { mobile: '13900000001' } }));
    const want = {
      user_id: u.id, username: u.name, avatar: 'https://cdn.example.com/a.png', description: 'about me',
      mobile: '13900000001', email: '', nick_name: 'Nick', public_info: 'pub', private_info: 'priv',
    };
    assert.deepEqual(await profile(u), want);
    assert.deepEqual(assertOk(await adminAs(srv, app, u.id).req('GET', '/user/profile')), want);
    u.c.close();
  });

  describe('avatar', () => {
    test('POST and PUT set it; "" clears it', async () => {
      const u = await newUser(srv, app);
      assertTrue(await u.c.req('POST', '/user/avatar', { body: { avatar: 'http://img.example.com/1.jpg' } }));
      assert.equal((await profile(u)).avatar, 'http://img.example.com/1.jpg');
      assertTrue(await u.c.req('PUT', '/user/avatar', { body: { avatar: 'https://img.example.com/2.jpg?size=200&v=3' } }));
      assert.equal((await profile(u)).avatar, 'https://img.example.com/2.jpg?size=200&v=3');
      const long = 'https://x.example.com/' + 'a'.repeat(1024 - 22);
      assertTrue(await u.c.req('PUT', '/user/avatar', { body: { avatar: long } }));
      assert.equal((await profile(u)).avatar, long);
      assertTrue(await u.c.req('PUT', '/user/avatar', { body: { avatar: '' } }));
      assert.equal((await profile(u)).avatar, '');
      u.c.close();
    });

    test('bad avatars are 10002 and change nothing', async () => {
      const u = await newUser(srv, app);
      assertTrue(await u.c.req('POST', '/user/avatar', { body: { avatar: 'https://ok.example.com/a.png' } }));
      for (const body of [{}, { avatar: 5 }, { avatar: null }, { avatar: 'ftp://x.example.com/a' }, { avatar: 'just-text' },
        { avatar: 'https://' }, { avatar: 'https://a b.png' }, { avatar: 'https://a\tb' }, { avatar: 'https://x/' + 'a'.repeat(1024) }])
        assertError(await u.c.req('POST', '/user/avatar', { body }), 10002);
      assertError(await u.c.req('POST', '/user/avatar', { raw: 'https://x.example.com/a.png' }), 10002);
      assert.equal((await profile(u)).avatar, 'https://ok.example.com/a.png');
      u.c.close();
    });
  });

  describe('avatar/batch', () => {
    test('an admin sets the avatars of the ids it lists; each item stands alone', async () => {
      const a = await newUser(srv, app), b = await newUser(srv, app);
      const list = [
        { user_id: a.id, avatar: 'https://x.example.com/a.png' },
        { user_id: b.id, avatar: 'https://x.example.com/b.png' },
        { user_id: 999999999, avatar: 'https://x.example.com/c.png' },
        { user_id: a.id, avatar: 'not a url' },
        { avatar: 'https://x.example.com/d.png' },
        { user_id: 'x', avatar: 'https://x.example.com/e.png' },
        { user_id: b.id },
        'item',
      ];
      for (const m of ['POST', 'PUT']) {
        const d = assertOk(await admin.req(m, '/user/avatar/batch', { body: { list } }));
        assert.equal(d.length, list.length);
        for (const x of d) {
          assert.deepEqual(Object.keys(x).sort(), ['reason', 'success', 'user_id']);
          assert.equal(typeof x.user_id, 'number');
          assert.equal(typeof x.reason, 'string');
        }
        assert.deepEqual(d.map((x) => x.success), [true, true, false, false, false, false, false, false]);
        assert.deepEqual(d.map((x) => x.user_id), [a.id, b.id, 999999999, a.id, 0, 0, b.id, 0]);
        assert.equal(d[0].reason, '');
        assert.match(d[2].reason, /does not exist/);
        for (const x of d.slice(2)) assert.ok(x.reason.length > 0);
      }
      assert.equal((await profile(a)).avatar, 'https://x.example.com/a.png');
      assert.equal((await profile(b)).avatar, 'https://x.example.com/b.png');
      a.c.close(); b.c.close();
    });

    test('a user token acts only on the caller', async () => {
      const a = await newUser(srv, app), b = await newUser(srv, app);
      const d = assertOk(await a.c.req('POST', '/user/avatar/batch', { body: { list: [
        { user_id: b.id, avatar: 'https://x.example.com/evil.png' },
        { user_id: a.id, avatar: 'https://x.example.com/mine.png' },
      ] } }));
      assert.equal(d[0].success, false);
      assert.match(d[0].reason, /permission/);
      assert.equal(d[1].success, true);
      assert.equal((await profile(b)).avatar, '');
      assert.equal((await profile(a)).avatar, 'https://x.example.com/mine.png');
      const d2 = assertOk(await a.c.req('PUT', '/user/avatar/batch', { body: { list: [{ avatar: 'https://x.example.com/self.png' }] } }));
      assert.deepEqual(d2, [{ user_id: a.id, success: true, reason: '' }]);
      assert.equal((await profile(a)).avatar, 'https://x.example.com/self.png');
      a.c.close(); b.c.close();
    });

    test('list errors are 10002', async () => {
      const a = await newUser(srv, app);
      const big = Array.from({ length: 101 }, () => ({ user_id: a.id, avatar: 'https://x.example.com/z.png' }));
      for (const body of [{ list: big }, { list: [] }, {}, { list: {} }])
        assertError(await admin.req('POST', '/user/avatar/batch', { body }), 10002);
      assertError(await admin.req('POST', '/user/avatar/batch', { raw: '[' }), 10002);
      assert.equal((await profile(a)).avatar, '');
      a.c.close();
    });
  });

  describe('nickname', () => {
    test('POST and PUT ?nick_name= set it (up to 64 characters)', async () => {
      const u = await newUser(srv, app);
      assertTrue(await u.c.req('POST', '/user/nickname', { query: { nick_name: 'Alice Liddell' } }));
      assert.equal((await profile(u)).nick_name, 'Alice Liddell');
      const cjk = '爱丽丝'.repeat(21) + '丝';
      assertTrue(await u.c.req('PUT', '/user/nickname', { query: { nick_name: cjk } }));
      assert.equal((await profile(u)).nick_name, cjk);
      u.c.close();
    });

    test('missing, empty, too long or control characters are 10002', async () => {
      const u = await newUser(srv, app);
      for (const query of [{}, { nick_name: '' }, { nick_name: 'x'.repeat(65) }, { nick_name: '好'.repeat(65) },
        { nick_name: 'a\u0001b' }, { nick_name: 'two\nlines' }])
        assertError(await u.c.req('POST', '/user/nickname', { query }), 10002);
      for (const body of [{ nick_name: '' }, { nick_name: 7 }, { nick_name: ['x'] }, { nick_name: 'x'.repeat(65) }])
        assertError(await u.c.req('POST', '/user/nickname', { body }), 10002);
      assertError(await u.c.req('POST', '/user/nickname', { query: { nick_name: 'one' }, body: { nick_name: 'two' } }), 10002);
      assert.equal((await profile(u)).nick_name, '');
      // issue 16: a parameter the document puts in the query is also read from a JSON body
      assertTrue(await u.c.req('POST', '/user/nickname', { body: { nick_name: 'in body' } }));
      assert.equal((await profile(u)).nick_name, 'in body');
      u.c.close();
    });
  });

  describe('mobile', () => {
    test('sets the mobile; /token/login accepts it; it is unique in the app', async () => {
      const a = await newUser(srv, app), b = await newUser(srv, app);
      assertTrue(await a.c.req('POST', '/user/mobile', { query: { mobile: '13800000011' } }));
      assert.equal((await profile(a)).mobile, '13800000011');
      assertToken(await open.req('POST', '/token/login', { body: { login_name: '13800000011', password: a.password } }), a.id);
      assertError(await open.req('POST', '/token/login', { body: { login_name: '13800000011', password: 'wrong-pass' } }), 10005);
      assertError(await b.c.req('PUT', '/user/mobile', { query: { mobile: '13800000011' } }), 10004, /mobile/);
      assert.equal((await profile(b)).mobile, '');
      assertTrue(await a.c.req('PUT', '/user/mobile', { query: { mobile: '13800000011' } })); // own number again
      assertTrue(await a.c.req('PUT', '/user/mobile', { query: { mobile: '+8613800000012' } }));
      assertError(await open.req('POST', '/token/login', { body: { login_name: '13800000011', password: a.password } }), 10000);
      assertTrue(await b.c.req('PUT', '/user/mobile', { query: { mobile: '13800000011' } })); // free again
      assertToken(await open.req('POST', '/token/login', { body: { login_name: '13800000011', password: b.password } }), b.id);
      assertToken(await open.req('POST', '/token/login', { body: { login_name: '+8613800000012', password: a.password } }), a.id);
      assert.equal((await profile(a)).mobile, '+8613800000012');
      assert.equal((await profile(b)).mobile, '13800000011');
      a.c.close(); b.c.close();
    });

    test('bad numbers are 10002', async () => {
      const u = await newUser(srv, app);
      for (const mobile of ['', 'abc', '1234', '+', '1'.repeat(21), '+86 138', '138-0000', '１３８００００００']) {
        assertError(await u.c.req('POST', '/user/mobile', { query: { mobile } }), 10002, undefined);
      }
      assertError(await u.c.req('POST', '/user/mobile'), 10002);
      assert.equal((await profile(u)).mobile, '');
      u.c.close();
    });
  });

  describe('public and private', () => {
    for (const [path, field] of [['/user/public', 'public_info'], ['/user/private', 'private_info']]) {
      test(`${path}: the raw body is the text, stored as sent`, async () => {
        const u = await newUser(srv, app);
        assertTrue(await u.c.req('POST', path, { raw: 'plain words' }));
        assert.equal((await profile(u))[field], 'plain words');
        const text = '{"json":"kept as text"}\nsecond line\ttab';
        assertTrue(await u.c.req('PUT', path, { raw: text }));
        assert.equal((await profile(u))[field], text);
        const long = 'é'.repeat(4096);
        assertTrue(await u.c.req('PUT', path, { raw: long }));
        assert.equal((await profile(u))[field], long);
        assertTrue(await u.c.req('POST', path, { raw: '' }));
        assert.equal((await profile(u))[field], '');
        u.c.close();
      });

      test(`${path}: too long, invalid UTF-8, NUL or control characters are 10002`, async () => {
        const u = await newUser(srv, app);
        assertTrue(await u.c.req('POST', path, { raw: 'keep' }));
        for (const raw of ['x'.repeat(4097), 'a\u0000b', 'a\u0007b', Buffer.from([0x61, 0xff, 0x62]), Buffer.from([0xc3])]) {
          const o = typeof raw === 'string' ? { raw } : { raw: true, body: raw };
          assertError(await u.c.req('POST', path, o), 10002);
        }
        assert.equal((await profile(u))[field], 'keep');
        u.c.close();
      });
    }
  });

  describe('profile POST/PUT', () => {
    test('changes only the non-empty fields given', async () => {
      const u = await newUser(srv, app);
      assertTrue(await u.c.req('POST', '/user/profile', { body: { nick_name: 'N1', description: 'D1', public_info: 'P1', private_info: 'Q1' } }));
      assertTrue(await u.c.req('PUT', '/user/profile', { body: { nick_name: '', description: 'D2', private_info: null, other: 'ignored' } }));
      const p = await profile(u);
      assert.deepEqual([p.nick_name, p.description, p.public_info, p.private_info], ['N1', 'D2', 'P1', 'Q1']);
      assertTrue(await u.c.req('PUT', '/user/profile', { body: {} }));
      assert.deepEqual(await profile(u), p);
      assertTrue(await u.c.req('PUT', '/user/profile', { body: { description: 'multi\nline', public_info: 'x'.repeat(4096) } }));
      assert.equal((await profile(u)).description, 'multi\nline');
      u.c.close();
    });

    test('one bad field is 10002 and nothing changes', async () => {
      const u = await newUser(srv, app);
      for (const body of [
        { nick_name: 'ok', description: 5 },
        { nick_name: 'x'.repeat(65) },
        { nick_name: 'line\nbreak' },
        { description: 'd'.repeat(1025) },
        { public_info: 'p'.repeat(4097) },
        { private_info: ['x'] },
        [],
        'string',
      ]) assertError(await u.c.req('POST', '/user/profile', { body }), 10002);
      assertError(await u.c.req('POST', '/user/profile', { raw: '{"nick_name":"a"' }), 10002);
      assertError(await u.c.req('POST', '/user/profile'), 10002);
      const p = await profile(u);
      assert.deepEqual([p.nick_name, p.description, p.public_info, p.private_info], ['', '', '', '']);
      u.c.close();
    });
  });

  describe('profile/batch', () => {
    test('an admin updates the users it lists; each item is all or nothing', async () => {
      const a = await newUser(srv, app), b = await newUser(srv, app);
      const list = [
        { user_id: a.id, nick_name: 'A', description: 'about a' },
        { user_id: b.id, nick_name: 'B', public_info: 'pb', private_info: 'qb' },
        { user_id: a.id, nick_name: 'A2', description: 'd'.repeat(1025) }, // bad: nick not applied either
        { user_id: 424242424, nick_name: 'ghost' },
        { nick_name: 'no id' },
      ];
      const d = assertOk(await admin.req('POST', '/user/profile/batch', { body: { list } }));
      assert.deepEqual(d.map((x) => [x.user_id, x.success]), [[a.id, true], [b.id, true], [a.id, false], [424242424, false], [0, false]]);
      for (const x of d) assert.deepEqual(Object.keys(x).sort(), ['reason', 'success', 'user_id']);
      const pa = await profile(a), pb = await profile(b);
      assert.deepEqual([pa.nick_name, pa.description], ['A', 'about a']);
      assert.deepEqual([pb.nick_name, pb.public_info, pb.private_info, pb.description], ['B', 'pb', 'qb', '']);
      const d2 = assertOk(await admin.req('PUT', '/user/profile/batch', { body: { list: [{ user_id: b.id, nick_name: '', description: 'db' }] } }));
      assert.deepEqual(d2, [{ user_id: b.id, success: true, reason: '' }]);
      const pb2 = await profile(b);
      assert.deepEqual([pb2.nick_name, pb2.description], ['B', 'db']);
      a.c.close(); b.c.close();
    });

    test('a user token acts only on the caller; list limits are 10002', async () => {
      const a = await newUser(srv, app), b = await newUser(srv, app);
      const d = assertOk(await a.c.req('POST', '/user/profile/batch', { body: { list: [
        { user_id: b.id, nick_name: 'hijack' }, { nick_name: 'me' }, { user_id: a.id, description: 'mine' },
      ] } }));
      assert.deepEqual(d.map((x) => x.success), [false, true, true]);
      assert.match(d[0].reason, /permission/);
      assert.equal(d[1].user_id, a.id);
      assert.equal((await profile(b)).nick_name, '');
      const pa = await profile(a);
      assert.deepEqual([pa.nick_name, pa.description], ['me', 'mine']);
      const big = Array.from({ length: 101 }, () => ({ nick_name: 'x' }));
      assertError(await a.c.req('POST', '/user/profile/batch', { body: { list: big } }), 10002);
      assertError(await a.c.req('POST', '/user/profile/batch', { body: { list: [] } }), 10002);
      assertError(await a.c.req('POST', '/user/profile/batch', { body: { items: [{ nick_name: 'x' }] } }), 10002);
      a.c.close(); b.c.close();
    });
  });
});
