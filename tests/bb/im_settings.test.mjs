// IM face, settings: GET/POST/PUT /user/settings and the one-field setters
// download, authmode, sounds, vibratory, push, push/detail, push/limit, push/nickname.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd } from './lib/harness.mjs';
import { assertError, assertTrue, assertOk, assertSettingsShape, newUser, adminAs } from './im_util.mjs';

describe('IM settings', () => {
  let srv, app;

  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
  });
  after(async () => { await srv.stop(); });

  const settings = async (u) => { const d = assertOk(await u.c.req('GET', '/user/settings')); assertSettingsShape(d, u.id); return d; };

  test('a new user has the documented defaults', async () => {
    const u = await newUser(srv, app);
    assert.deepEqual(await settings(u), {
      id: u.id, user_id: u.id, auth_mode: 0, auth_question: '', auth_answer: '', auto_download: true,
      group_confirm: true, no_push: false, no_push_detail: false, no_push_start_hour: 0, no_push_end_hour: 0,
      no_sounds: false, push_nick_name: '', push_token: '', silence_start_time: 0, silence_end_time: 0, vibratory: true,
    });
    u.c.close();
  });

  describe('POST/PUT /user/settings', () => {
    test('the whole object, then partial updates that keep the other fields', async () => {
      const u = await newUser(srv, app), v = await newUser(srv, app);
      const all = {
        id: u.id, user_id: u.id, auth_mode: 2, auth_question: 'Favourite colour?', auth_answer: '蓝色',
        auto_download: false, group_confirm: false, no_push: true, no_push_detail: true, no_push_start_hour: 22,
        no_push_end_hour: 7, no_sounds: true, push_nick_name: 'Pushy', push_token: 'tok:ABC_123-x',
        silence_start_time: 23, silence_end_time: 6, vibratory: false,
      };
      assertTrue(await u.c.req('POST', '/user/settings', { body: all }));
      assert.deepEqual(await settings(u), all);
      assertTrue(await u.c.req('PUT', '/user/settings', { body: { auth_mode: 1 } }));
      assert.deepEqual(await settings(u), { ...all, auth_mode: 1 });
      assertTrue(await u.c.req('PUT', '/user/settings', { body: { vibratory: true, push_token: '', no_push_start_hour: 0, unknown_field: 'x' } }));
      const want = { ...all, auth_mode: 1, vibratory: true, push_token: '', no_push_start_hour: 0 };
      assert.deepEqual(await settings(u), want);
      assertTrue(await u.c.req('POST', '/user/settings', { body: {} }));
      assertTrue(await u.c.req('POST', '/user/settings', { body: { auth_question: null } })); // null: left as it is
      assert.deepEqual(await settings(u), want);
      assert.equal((await settings(v)).auth_mode, 0); // another user is untouched
      u.c.close(); v.c.close();
    });

    test('id and user_id are read-only: an admin changes the user it names', async () => {
      const u = await newUser(srv, app), v = await newUser(srv, app);
      assertTrue(await u.c.req('POST', '/user/settings', { body: { user_id: v.id, id: v.id, auth_mode: 3 } }));
      assert.equal((await settings(u)).auth_mode, 3);
      assert.equal((await settings(v)).auth_mode, 0);
      assertTrue(await adminAs(srv, app, v.id).req('PUT', '/user/settings', { body: { no_sounds: true } }));
      assert.equal((await settings(v)).no_sounds, true);
      u.c.close(); v.c.close();
    });

    test('a wrong type or range in any field is 10002 and nothing changes', async () => {
      const u = await newUser(srv, app);
      const before = await settings(u);
      for (const body of [
        { auth_mode: 4 }, { auth_mode: -1 }, { auth_mode: '1' }, { auth_mode: true }, { auth_mode: 1.5 },
        { auth_question: 'q'.repeat(257) }, { auth_question: 5 }, { auth_answer: 'line\nbreak' },
        { auto_download: 'true' }, { group_confirm: 1 }, { no_push: 0 }, { no_push_detail: 'false' },
        { no_push_start_hour: 24 }, { no_push_end_hour: -1 }, { no_sounds: [] }, { push_nick_name: 'n'.repeat(65) },
        { push_token: 'has space' }, { push_token: 't'.repeat(513) }, { silence_start_time: 99 }, { silence_end_time: '6' },
        { vibratory: null, auth_mode: 9 }, { id: 'x' }, { user_id: 1.5 }, { auth_mode: 1, no_push: 'yes' },
      ]) assertError(await u.c.req('PUT', '/user/settings', { body }), 10002);
      for (const raw of ['[]', '"str"', '{"auth_mode":1', '', '{"auth_mode":1,"auth_mode":2}'])
        assertError(await u.c.req('POST', '/user/settings', { raw }), 10002);
      assert.deepEqual(await settings(u), before);
      u.c.close();
    });
  });

  describe('one-field setters', () => {
    const flags = [
      ['/user/download', 'auto_download'],
      ['/user/sounds', 'no_sounds'],
      ['/user/vibratory', 'vibratory'],
      ['/user/push', 'no_push'],
      ['/user/push/detail', 'no_push_detail'],
    ];
    for (const [path, field] of flags) {
      test(`${path}?value= sets ${field}, with POST and PUT`, async () => {
        const u = await newUser(srv, app);
        const start = await settings(u);
        assertTrue(await u.c.req('POST', path, { query: { value: !start[field] } }));
        assert.deepEqual(await settings(u), { ...start, [field]: !start[field] });
        assertTrue(await u.c.req('PUT', path, { query: { value: start[field] } }));
        assert.deepEqual(await settings(u), start);
        assertTrue(await u.c.req('PUT', path, { query: { value: start[field] ? 'FALSE' : '1' } }));
        assert.equal((await settings(u))[field], !start[field]);
        for (const query of [{}, { value: '' }, { value: 'yes' }, { value: '2' }, { value: 'truee' }])
          assertError(await u.c.req('POST', path, { query }), 10002);
        for (const body of [{ value: 'true' }, { value: 1 }, { value: null }, {}])
          assertError(await u.c.req('POST', path, { body }), 10002); // a JSON body holds a JSON boolean
        assertError(await u.c.req('POST', path, { query: { value: true }, body: { value: false } }), 10002);
        assert.equal((await settings(u))[field], !start[field]);
        // issue 16: the web SDK sends the value in a JSON body
        assertTrue(await u.c.req('POST', path, { body: { value: start[field] } }));
        assert.equal((await settings(u))[field], start[field]);
        assertTrue(await u.c.req('PUT', path, { query: { value: !start[field] }, body: { value: !start[field] } }));
        assert.equal((await settings(u))[field], !start[field]);
        u.c.close();
      });
    }

    test('/user/authmode?value=0..3', async () => {
      const u = await newUser(srv, app);
      for (const [m, v] of [['POST', 3], ['PUT', 1], ['POST', 2], ['PUT', 0]]) {
        assertTrue(await u.c.req(m, '/user/authmode', { query: { value: v } }));
        assert.equal((await settings(u)).auth_mode, v);
      }
      assertTrue(await u.c.req('POST', '/user/authmode', { query: { value: 2 } }));
      for (const query of [{}, { value: 4 }, { value: -1 }, { value: 'a' }, { value: '1.0' }, { value: '' }, { value: '99999999999999999999' }])
        assertError(await u.c.req('POST', '/user/authmode', { query }), 10002);
      assert.equal((await settings(u)).auth_mode, 2);
      u.c.close();
    });

    test('/user/push/limit?no_push_start_hour=&no_push_end_hour= (0-23, both needed)', async () => {
      const u = await newUser(srv, app);
      assertTrue(await u.c.req('POST', '/user/push/limit', { query: { no_push_start_hour: 21, no_push_end_hour: 8 } }));
      let s = await settings(u);
      assert.deepEqual([s.no_push_start_hour, s.no_push_end_hour], [21, 8]);
      assertTrue(await u.c.req('PUT', '/user/push/limit', { query: { no_push_start_hour: 0, no_push_end_hour: 23 } }));
      s = await settings(u);
      assert.deepEqual([s.no_push_start_hour, s.no_push_end_hour], [0, 23]);
      for (const query of [{}, { no_push_start_hour: 1 }, { no_push_end_hour: 1 }, { no_push_start_hour: 24, no_push_end_hour: 1 },
        { no_push_start_hour: 1, no_push_end_hour: -1 }, { no_push_start_hour: 'x', no_push_end_hour: 1 }])
        assertError(await u.c.req('POST', '/user/push/limit', { query }), 10002);
      s = await settings(u);
      assert.deepEqual([s.no_push_start_hour, s.no_push_end_hour], [0, 23]);
      // issue 16: a JSON body (numbers, or numeric strings), and a mix of the two places
      assertTrue(await u.c.req('POST', '/user/push/limit', { body: { no_push_end_hour: 7, no_push_start_hour: '22' } }));
      assertTrue(await u.c.req('POST', '/user/push/limit', { query: { no_push_start_hour: 22 }, body: { no_push_end_hour: 6 } }));
      s = await settings(u);
      assert.deepEqual([s.no_push_start_hour, s.no_push_end_hour], [22, 6]);
      for (const o of [{ body: { no_push_start_hour: 1 } }, { body: { no_push_start_hour: 1.5, no_push_end_hour: 2 } },
        { body: { no_push_start_hour: true, no_push_end_hour: 2 } }, { body: { no_push_start_hour: '1h', no_push_end_hour: 2 } },
        { query: { no_push_start_hour: 1, no_push_end_hour: 2 }, body: { no_push_start_hour: 3 } }])
        assertError(await u.c.req('POST', '/user/push/limit', o), 10002);
      s = await settings(u);
      assert.deepEqual([s.no_push_start_hour, s.no_push_end_hour], [22, 6]);
      u.c.close();
    });

    test('/user/push/nickname?nick_name= (or ?value=)', async () => {
      const u = await newUser(srv, app);
      assertTrue(await u.c.req('POST', '/user/push/nickname', { query: { nick_name: '推送名' } }));
      assert.equal((await settings(u)).push_nick_name, '推送名');
      assertTrue(await u.c.req('PUT', '/user/push/nickname', { query: { value: 'By value' } }));
      assert.equal((await settings(u)).push_nick_name, 'By value');
      assertTrue(await u.c.req('PUT', '/user/push/nickname', { query: { nick_name: 'n'.repeat(64) } }));
      for (const query of [{}, { nick_name: '' }, { value: '' }, { nick_name: 'n'.repeat(65) }, { nick_name: 'a\u0002' },
        { nick_name: 'one', value: 'other' }])
        assertError(await u.c.req('POST', '/user/push/nickname', { query }), 10002);
      assert.equal((await settings(u)).push_nick_name, 'n'.repeat(64));
      // issue 16: the web SDK's {value} JSON body; both names (and both places) must agree when given together
      assertTrue(await u.c.req('POST', '/user/push/nickname', { body: { value: 'From body' } }));
      assert.equal((await settings(u)).push_nick_name, 'From body');
      assertTrue(await u.c.req('POST', '/user/push/nickname', { query: { nick_name: 'Same' }, body: { value: 'Same' } }));
      assert.equal((await settings(u)).push_nick_name, 'Same');
      for (const body of [{ value: 7 }, { nick_name: 'x', value: 'y' }, { value: null }])
        assertError(await u.c.req('POST', '/user/push/nickname', { body }), 10002);
      assert.equal((await settings(u)).push_nick_name, 'Same');
      u.c.close();
    });

    test('an admin uses the setters on the user it names; without one it is 10002', async () => {
      const u = await newUser(srv, app);
      const as = adminAs(srv, app, u.id);
      assertTrue(await as.req('POST', '/user/sounds', { query: { value: true } }));
      assertTrue(await as.req('POST', '/user/authmode', { query: { value: 1 } }));
      assertTrue(await as.req('POST', '/user/push/limit', { query: { no_push_start_hour: 5, no_push_end_hour: 6 } }));
      const s = await settings(u);
      assert.deepEqual([s.no_sounds, s.auth_mode, s.no_push_start_hour, s.no_push_end_hour], [true, 1, 5, 6]);
      assertError(await adminAs(srv, app).req('POST', '/user/sounds', { query: { value: true } }), 10002);
      assertError(await adminAs(srv, app).req('GET', '/user/settings'), 10002);
      u.c.close();
    });
  });
});
