// App face: blacklist, groups, favourite groups and the versioned sync. The
// friendship and group tables have no API yet: the tests fill them in the store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, post, signUp, sql, accountId, text, answer } from './app_lib.mjs';

const ok = (r) => answer(r, { code: 200 });
const ISO = (ms) => new Date(ms).toISOString();

describe('app face: blacklist, groups, favgroups, sync', () => {
  let ctx, a, b, c;
  before(async () => {
    ctx = await startApp({ USERD_SMS_RESEND_INTERVAL: '0' });
    a = await signUp(ctx, { nickname: 'Alice' });
    b = await signUp(ctx, { nickname: 'Bob' });
    c = await signUp(ctx, { nickname: 'Carol' });
  });
  after(async () => { for (const u of [a, b, c]) u.c.close(); await ctx.stop(); });

  test('blacklist round trip', async () => {
    answer(await c.c.req('GET', '/user/blacklist'), { code: 200, result: [] });
    ok(await post(c.c, '/user/add_to_blacklist', { friendId: b.id }));
    ok(await post(c.c, '/user/add_to_blacklist', { friendId: b.id }));
    const bid = accountId(ctx.srv, b.phone);
    const updated = Number(sql(ctx.srv, `SELECT updated_at FROM accounts WHERE id = ${bid}`));
    let r = await c.c.req('GET', '/user/blacklist');
    assert.deepEqual(r.json, {
      code: 200,
      result: [{ user: { id: b.id, nickname: 'Bob', portraitUri: '', gender: 'male', stAccount: '', phone: b.phone, updatedAt: ISO(updated), updatedTime: updated } }],
    });
    ok(await post(c.c, '/user/add_to_blacklist', { friendId: a.id }));
    r = await c.c.req('GET', '/user/blacklist');
    assert.deepEqual(r.json.result.map((x) => x.user.id), [b.id, a.id]);
    ok(await post(c.c, '/user/remove_from_blacklist', { friendId: b.id }));
    ok(await post(c.c, '/user/remove_from_blacklist', { friendId: b.id }));
    r = await c.c.req('GET', '/user/blacklist');
    assert.deepEqual(r.json.result.map((x) => x.user.id), [a.id]);
    // errors
    text(await post(c.c, '/user/add_to_blacklist', { friendId: 'zzzzzzzzz' }), 404, 'friendId is not an available userId.');
    text(await post(c.c, '/user/remove_from_blacklist', { friendId: 'zzzzzzzzz' }), 404, 'friendId is not an available userId.');
    text(await post(c.c, '/user/add_to_blacklist', {}), 400, 'Empty friendId.');
    text(await post(c.c, '/user/add_to_blacklist', { friendId: 7 }), 400, 'Empty friendId.');
    text(await post(c.c, '/user/add_to_blacklist', { friendId: c.id }), 400, 'You cannot blacklist yourself.');
    // the other side is not affected
    answer(await b.c.req('GET', '/user/blacklist'), { code: 200, result: [] });
  });

  test('sync: per-category versions after changes', async () => {
    const u = await signUp(ctx, { nickname: 'Dave' });
    let r = await u.c.req('GET', '/user/sync/0');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['code', 'result']);
    assert.equal(r.json.code, 200);
    const s0 = r.json.result;
    assert.deepEqual(Object.keys(s0), ['version', 'user', 'blacklist', 'friends', 'groups', 'group_members']);
    assert.deepEqual(Object.keys(s0.user), ['id', 'nickname', 'portraitUri', 'timestamp']);
    assert.equal(s0.user.id, u.id);
    assert.equal(s0.user.nickname, 'Dave');
    assert.equal(s0.version, s0.user.timestamp);
    assert.deepEqual([s0.blacklist, s0.friends, s0.groups, s0.group_members], [[], [], [], []]);
    const v0 = s0.version;
    r = await u.c.req('POST', `/user/sync/${v0}`);
    assert.deepEqual(r.json.result, { version: v0, user: null, blacklist: [], friends: [], groups: [], group_members: [] });

    await new Promise((res) => setTimeout(res, 5));
    ok(await post(u.c, '/user/set_nickname', { nickname: 'David' }));
    r = await u.c.req('GET', `/user/sync/${v0}`);
    const s1 = r.json.result;
    assert.equal(s1.user.nickname, 'David');
    assert.ok(s1.user.timestamp > v0);
    assert.equal(s1.version, s1.user.timestamp);

    await new Promise((res) => setTimeout(res, 5));
    ok(await post(u.c, '/user/add_to_blacklist', { friendId: a.id }));
    r = await u.c.req('GET', `/user/sync/${s1.version}`);
    const s2 = r.json.result;
    assert.equal(s2.user, null);
    assert.equal(s2.blacklist.length, 1);
    assert.deepEqual(Object.keys(s2.blacklist[0]), ['friendId', 'status', 'timestamp']);
    assert.equal(s2.blacklist[0].friendId, a.id);
    assert.equal(s2.blacklist[0].status, true);
    assert.ok(s2.blacklist[0].timestamp > s1.version);
    assert.equal(s2.version, s2.blacklist[0].timestamp);

    await new Promise((res) => setTimeout(res, 5));
    ok(await post(u.c, '/user/remove_from_blacklist', { friendId: a.id }));
    const s3 = (await u.c.req('GET', `/user/sync/${s2.version}`)).json.result;
    assert.deepEqual(s3.blacklist, [{ friendId: a.id, status: false, timestamp: s3.version }]);
    assert.ok(s3.version > s2.version);
    // everything since the start
    const all = (await u.c.req('GET', '/user/sync/0')).json.result;
    assert.equal(all.version, s3.version);
    assert.equal(all.user.nickname, 'David');
    for (const bad of ['abc', '1.5', '1e3', '0x10', '99999999999999999999', '%201', '%091', '+1', '-']) {
      text(await u.c.req('GET', `/user/sync/${bad}`), 400, 'Version parameter is not integer.');
    }
    u.c.close();
  });

  test('friendships show in sync; blacklisting a friend makes the status 31, and back 20', async () => {
    const u = await signUp(ctx, { nickname: 'Erin' });
    const uid = accountId(ctx.srv, u.phone), bid = accountId(ctx.srv, b.phone);
    const v = (await u.c.req('GET', '/user/sync/0')).json.result.version;
    const t = v + 10;
    sql(ctx.srv, `INSERT INTO friendships (account_id, friend_id, display_name, status, created_at, updated_at) VALUES (${uid}, ${bid}, 'Bobby', 20, ${t}, ${t})`);
    let s = (await u.c.req('GET', `/user/sync/${v}`)).json.result;
    assert.deepEqual(s.friends, [{ friendId: b.id, displayName: 'Bobby', status: 20, timestamp: t }]);
    assert.equal(s.version, t);
    await new Promise((res) => setTimeout(res, 15));
    ok(await post(u.c, '/user/add_to_blacklist', { friendId: b.id }));
    s = (await u.c.req('GET', `/user/sync/${t}`)).json.result;
    assert.equal(s.friends.length, 1);
    assert.equal(s.friends[0].status, 31);
    assert.equal(s.friends[0].timestamp, s.blacklist[0].timestamp);
    ok(await post(u.c, '/user/remove_from_blacklist', { friendId: b.id }));
    assert.equal(sql(ctx.srv, `SELECT status FROM friendships WHERE account_id = ${uid} AND friend_id = ${bid}`), '20');
    u.c.close();
  });

  test('groups, group members and favgroups', async () => {
    const aid = accountId(ctx.srv, a.phone), bid = accountId(ctx.srv, b.phone), cid = accountId(ctx.srv, c.phone);
    const app = ctx.srv.defaultApp.app_id;
    const v = (await a.c.req('GET', '/user/sync/0')).json.result.version;
    const t = v + 100;
    const group = (name, creator, deleted, at) => Number(sql(ctx.srv,
      `INSERT INTO chat_groups (app_id, name, portrait_uri, creator_id, member_count, max_member_count, is_mute, certi_status, member_protection, is_deleted, created_at, updated_at) ` +
      `VALUES ('${app}', '${name}', 'http://test.com/g/${name}.jpg', ${creator}, 2, 500, ${name === 'T2' ? 1 : 0}, 0, 1, ${deleted}, ${at}, ${at}) RETURNING id`));
    const g1 = group('T1', aid, 0, t), g2 = group('T2', bid, 0, t + 1), g3 = group('T3', aid, 1, t + 2);
    const member = (g, m, role, name, at) => sql(ctx.srv,
      `INSERT INTO group_members (group_id, member_id, role, display_name, is_deleted, created_at, updated_at) VALUES (${g}, ${m}, ${role}, '${name}', 0, ${at}, ${at})`);
    member(g1, aid, 0, 'Boss', t); member(g1, bid, 1, '', t); member(g2, bid, 0, '', t + 1); member(g2, aid, 1, 'Al', t + 1);
    member(g3, aid, 0, '', t + 2);
    member(g2, cid, 1, 'Cee', t + 3);

    let r = await a.c.req('POST', '/user/groups');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['code', 'result']);
    assert.equal(r.json.code, 200);
    const groups = r.json.result;
    assert.equal(groups.length, 2);
    const [G1, G2] = groups.map((x) => x.group.id);
    assert.match(G1, /^[0-9A-Za-z]{1,9}$/);
    assert.notEqual(G1, G2);
    assert.deepEqual(groups[0], { role: 0, group: { id: G1, name: 'T1', portraitUri: 'http://test.com/g/T1.jpg', creatorId: a.id, memberCount: 2, maxMemberCount: 500, isMute: 0, certiStatus: 0 } });
    assert.deepEqual(groups[1], { role: 1, group: { id: G2, name: 'T2', portraitUri: 'http://test.com/g/T2.jpg', creatorId: b.id, memberCount: 2, maxMemberCount: 500, isMute: 1, certiStatus: 0 } });
    assert.deepEqual((await a.c.req('GET', '/user/groups')).json, r.json);

    let s = (await a.c.req('GET', `/user/sync/${v}`)).json.result;
    assert.deepEqual(s.groups.map((x) => x.group.id), [G1, G2, s.groups[2].group.id]);
    assert.deepEqual(s.groups[0], { displayName: 'Boss', role: 0, isDeleted: false, group: { id: G1, name: 'T1', portraitUri: 'http://test.com/g/T1.jpg', timestamp: t } });
    assert.equal(s.groups[2].isDeleted, true); // the deleted group T3
    const byKey = Object.fromEntries(s.group_members.map((m) => [`${m.groupId}/${m.memberId}`, m]));
    assert.deepEqual(Object.keys(byKey).sort(), [`${G1}/${a.id}`, `${G1}/${b.id}`, `${G2}/${a.id}`, `${G2}/${b.id}`, `${G2}/${c.id}`].sort());
    assert.deepEqual(byKey[`${G2}/${c.id}`], { groupId: G2, memberId: c.id, displayName: 'Cee', role: 1, isDeleted: false, timestamp: t + 3, user: { nickname: 'Carol', portraitUri: '' } });
    assert.equal(s.version, t + 3);
    // nothing new at that version
    s = (await a.c.req('GET', `/user/sync/${t + 3}`)).json.result;
    assert.deepEqual([s.groups, s.group_members, s.version], [[], [], t + 3]);

    // Alice leaves T2: the membership shows deleted, T2 leaves her group list and her member sync
    sql(ctx.srv, `UPDATE group_members SET is_deleted = 1, updated_at = ${t + 10} WHERE group_id = ${g2} AND member_id = ${aid}`);
    sql(ctx.srv, `UPDATE group_members SET display_name = 'C2', updated_at = ${t + 11} WHERE group_id = ${g2} AND member_id = ${cid}`);
    s = (await a.c.req('GET', `/user/sync/${t + 3}`)).json.result;
    assert.deepEqual(s.groups, [{ displayName: 'Al', role: 1, isDeleted: true, group: { id: G2, name: 'T2', portraitUri: 'http://test.com/g/T2.jpg', timestamp: t + 10 } }]);
    assert.deepEqual(s.group_members, []);
    assert.equal(s.version, t + 10);
    assert.deepEqual((await a.c.req('GET', '/user/groups')).json.result.map((x) => x.group.id), [G1]);

    // favourite groups: T1, T2 and the deleted T3 (left out)
    for (const [g, at] of [[g1, t], [g2, t + 1], [g3, t + 2]]) sql(ctx.srv, `INSERT INTO group_favs (account_id, group_id, created_at) VALUES (${aid}, ${g}, ${at})`);
    r = await a.c.req('GET', '/user/favgroups');
    assert.deepEqual(Object.keys(r.json.result), ['list', 'total']);
    assert.equal(r.json.result.total, 2);
    assert.deepEqual(r.json.result.list[0], {
      id: G1, name: 'T1', portraitUri: 'http://test.com/g/T1.jpg', creatorId: a.id, memberCount: 2, maxMemberCount: 500,
      memberProtection: 1, isMute: 0, certiStatus: 0, createdAt: ISO(t), updatedAt: ISO(t), updatedTime: t, createdTime: t,
    });
    assert.deepEqual(r.json.result.list.map((x) => x.id), [G1, G2]);
    assert.deepEqual([r.json.result.list[1].isMute, r.json.result.list[1].certiStatus], [1, 0]); // T2 is muted
    r = await a.c.req('GET', '/user/favgroups?limit=1');
    assert.deepEqual([r.json.result.list.map((x) => x.id), r.json.result.total, r.json.result.limit, r.json.result.offset], [[G1], 2, '1', undefined]);
    r = await a.c.req('GET', '/user/favgroups?limit=1&offset=1');
    assert.deepEqual([r.json.result.list.map((x) => x.id), r.json.result.total, r.json.result.limit, r.json.result.offset], [[G2], 2, '1', '1']);
    r = await a.c.req('GET', '/user/favgroups?limit=5&offset=2');
    assert.deepEqual([r.json.result.list, r.json.result.total], [[], 2]);
    text(await a.c.req('GET', '/user/favgroups?offset=1'), 400, 'offset needs limit.');
    text(await a.c.req('GET', '/user/favgroups?limit=0'), 400, 'Invalid limit.');
    text(await a.c.req('GET', '/user/favgroups?limit=x'), 400, 'Invalid limit.');
    text(await a.c.req('GET', '/user/favgroups?limit=1&offset=-1'), 400, 'Invalid offset.');
    assert.deepEqual((await b.c.req('GET', '/user/favgroups')).json.result, { list: [], total: 0 });
  });
});
