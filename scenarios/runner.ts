/**
 * Runs one scenario under one defence model: builds the world from the seed, carries out the
 * steps (honest clients act through their homeservers; the adversary through its declared
 * capabilities), lets every device sync after each step, and asks the oracle what happened.
 */
import { signingKeyFromSeed } from "../sim/core/ed25519.ts";
import { CHECKS_ROOM_KEYS, DAG_TIE_BREAK, MODELS, type ModelId } from "../sim/models/index.ts";
import { buildRoomLink } from "../sim/core/links.ts";
import { rrkFromRoomId } from "../sim/core/room-root-key.ts";
import { Adversary } from "../sim/world/adversary.ts";
import { Client, type World } from "../sim/world/client.ts";
import { Clock } from "../sim/world/clock.ts";
import { History, type Operation } from "../sim/world/history.ts";
import { ApiError, Homeserver, maliciousHomeserver } from "../sim/world/homeserver.ts";
import { IdentityServer } from "../sim/world/identity-server.ts";
import { Network } from "../sim/world/network.ts";
import { type Judgement, type Outcome, judge, outcomeOf } from "../sim/world/oracle.ts";
import { checkMembershipProperties } from "../sim/world/properties.ts";
import { Rng } from "../sim/world/rng.ts";
import type { VerifierFault } from "../sim/core/verify-membership.ts";
import { HONEST_ACTIONS, type ModelExpectation, type Scenario, type Step, type StepBase } from "./format.ts";

export interface ScenarioRun {
  scenario: string;
  threat: string | null;
  model: ModelId;
  seed: number;
  expected: ModelExpectation | null;
  outcome: Outcome;
  judgement: Judgement;
  /** Steps that did not go as the scenario said (an honest step refused, or a `fails` step that succeeded). */
  step_errors: string[];
  /** Membership-property violations, when the scenario asks for them to be checked. */
  property_violations: string[];
  pass: boolean;
  /** Why it failed, in a sentence, if it did. */
  failure?: string;
  history: Operation[];
}

const serverName = (userId: string): string => userId.slice(userId.indexOf(":") + 1);

export interface RunOptions {
  seed?: number;
  /** Planted verifier bugs, for mutation-testing the property suite only. */
  faults?: ReadonlySet<VerifierFault>;
}

export function runScenario(scenario: Scenario, model: ModelId, options: RunOptions = {}): ScenarioRun {
  const seed = options.seed ?? scenario.seed;
  const rng = new Rng(`${seed}`);
  const clock = new Clock();
  const history = new History();
  const network = new Network({ delay: scenario.network?.delay ?? 0 });
  const identity = new IdentityServer("id.example", signingKeyFromSeed(rng.bytes("identity server key", 32)), rng);
  const world: World = { rng, clock, history, network, identity };
  const context = { clock, history, network };
  for (const s of scenario.adversary.servers) {
    network.add(maliciousHomeserver(s.name, context, Object.fromEntries(s.capabilities.map((c) => [c, true]))));
  }
  for (const u of scenario.users) if (!network.servers.has(serverName(u))) network.add(new Homeserver(serverName(u), context));
  const clients = new Map(scenario.users.map((u) => [u, new Client(u, network.serverOf(u)!, world, MODELS[model], CHECKS_ROOM_KEYS[model], DAG_TIE_BREAK[model])]));
  /** Alias → the room its owner set it for: what a link shared out of band vouches for. */
  const aliases = new Map<string, string>();
  const adversary = new Adversary(world);
  const rooms = new Map<string, string>();
  const stepErrors: string[] = [];
  const violations: string[] = [];
  const honestClients = [...clients.values()].filter((c) => !scenario.adversary.colluding.includes(c.userId));
  const properties = scenario.properties ?? [];
  const hasAdversary = scenario.adversary.servers.length > 0;
  let messages = 0;

  const client = (u: string) => clients.get(u)!;
  const room = (handle: string) => rooms.get(handle)!;
  const server = (name: string) => network.servers.get(name)!;
  const membership = (roomId: string, user: string, m: string, by: string, honest = true) =>
    history.record({ op: "membership", t: clock.now(), room: roomId, user, membership: m, by, honest });

  const perform = (step: Step): void => {
    switch (step.action) {
      case "create": {
        const roomId = client(step.user).createRoom();
        rooms.set(step.room, roomId);
        membership(roomId, step.user, "join", step.user);
        return;
      }
      case "invite":
        client(step.user).invite(room(step.room), step.target);
        return;
      case "join":
        client(step.user).join(room(step.room));
        membership(room(step.room), step.user, "join", step.user);
        return;
      case "leave":
        client(step.user).setMembership(room(step.room), step.user, "leave");
        membership(room(step.room), step.user, "leave", step.user);
        return;
      case "kick":
      case "ban":
        client(step.user).setMembership(room(step.room), step.target, step.action === "kick" ? "leave" : "ban");
        membership(room(step.room), step.target, step.action === "kick" ? "leave" : "ban", step.user);
        return;
      case "set_join_rule":
        client(step.user).setJoinRule(room(step.room), step.rule, (step.allow ?? []).map(room));
        return;
      case "set_power":
        client(step.user).setPower(room(step.room), step.target ?? null, step.setting ?? null, step.level);
        return;
      case "third_party_invite":
        client(step.user).thirdPartyInvite(room(step.room), step.address);
        return;
      case "bind_3pid":
        client(step.user).bindThirdPartyId(step.address);
        return;
      case "reset_msk":
        client(step.user).resetMsk();
        return;
      case "add_device":
        client(step.user).addDevice();
        return;
      case "verify_user":
        client(step.user).verify(client(step.target));
        return;
      case "send":
        client(step.user).send(room(step.room), `m${++messages}`, step.text);
        return;
      case "set_alias":
        client(step.user).server.setAlias(step.user, step.alias, room(step.room));
        aliases.set(step.alias, room(step.room));
        return;
      case "join_link": {
        // `from` sends `user` a link out of band; with_rrk: it carries the RRK of the room `from` meant.
        const meant = aliases.get(step.alias);
        const rrk = step.with_rrk && meant ? rrkFromRoomId(meant) : undefined;
        const link = buildRoomLink({ target: step.alias, via: [], ...(rrk?.ok ? { rrk: rrk.value } : {}) }, "matrix.to");
        const joined = client(step.user).joinByLink(link);
        rooms.set(step.room, joined.room_id);
        membership(joined.room_id, step.user, "join", step.user);
        return;
      }
      case "space_add_child":
        client(step.user).addSpaceChild(room(step.space), room(step.child));
        return;
      case "join_space_child": {
        const joined = client(step.user).joinSpaceChild(room(step.space));
        rooms.set(step.room, joined.room_id);
        membership(joined.room_id, step.user, "join", step.user);
        return;
      }
      case "insert_member": {
        const roomId = room(step.room);
        adversary.insertMember(network.servers.get(step.server)!, roomId, step.member, step.method, step.as);
        membership(roomId, step.member, "join", step.server, false);
        return;
      }
      case "insert_device":
        adversary.insertDevice(network.servers.get(step.server)!, step.target);
        return;
      case "collude_invite": {
        const roomId = room(step.room);
        adversary.colludeInvite(server(step.server), client(step.colluder), roomId, step.member, { concurrentWithBan: step.concurrent_with_ban ?? false, backdate: step.backdate ?? 0 });
        membership(roomId, step.member, "join", step.colluder, false);
        return;
      }
      case "substitute_msk":
        adversary.substituteMsk(network.servers.get(step.server)!, step.target);
        return;
      case "impersonate_join":
        adversary.impersonateJoin(network.servers.get(step.server)!, step.target, room(step.room));
        return;
      case "reinsert_banned":
        adversary.reinsertBanned(server(step.server), room(step.room), step.target);
        return;
      case "forge_leave":
        adversary.forgeLeave(server(step.server), room(step.room), step.target);
        return;
      case "replay_join":
        adversary.replayJoin(server(step.server), room(step.from_room), room(step.to_room), step.target);
        return;
      case "replay_envelope":
        adversary.replayEnvelope(server(step.server), room(step.room), step.victim, step.member);
        membership(room(step.room), step.member, "join", step.server, false);
        return;
      case "parent_cycle":
        adversary.parentCycle(server(step.server), room(step.room), step.member);
        membership(room(step.room), step.member, "join", step.server, false);
        return;
      case "hide_ban":
        adversary.hideBan(server(step.server), room(step.room), step.target);
        return;
      case "forge_join_rule":
        adversary.forgeJoinRule(server(step.server), room(step.room), step.as, step.member);
        membership(room(step.room), step.member, "join", step.server, false);
        return;
      case "substitute_rrk":
        adversary.substituteRrk(server(step.server), step.alias, step.member);
        return;
      case "forge_space_child":
        adversary.forgeSpaceChild(server(step.server), room(step.space), step.as, step.member);
        return;
      case "split_view":
        adversary.splitView(server(step.server), room(step.room), step.target, step.hide_from);
        return;
      case "forge_3pid_invite":
        adversary.forgeThirdPartyInvite(server(step.server), room(step.room), step.member);
        membership(room(step.room), step.member, "join", step.server, false);
        return;
      case "forge_restricted_join":
        adversary.forgeRestrictedJoin(server(step.server), room(step.room), room(step.allowed_room), step.member);
        membership(room(step.room), step.member, "join", step.server, false);
        return;
      case "insert_torsion_member":
        adversary.insertTorsionMember(server(step.server), room(step.room), step.member);
        membership(room(step.room), step.member, "join", step.server, false);
        return;
    }
  };

  scenario.steps.forEach((step, index) => {
    const actor = "user" in step ? step.user : "server" in step ? step.server : "?";
    let error: string | undefined;
    try {
      perform(step);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      error = `${e.errcode}: ${e.message}`;
    }
    const honest = (HONEST_ACTIONS as readonly string[]).includes(step.action);
    history.record({ op: "step", t: clock.now(), index, action: step.action, actor, honest, ok: error === undefined, ...(error ? { error } : {}) });
    const fails = (step as StepBase).fails === true;
    if (scenario.refusals !== "allowed") {
      if (error !== undefined && !fails) stepErrors.push(`steps[${index}] ${step.action} by ${actor} was refused: ${error}`);
      if (error === undefined && fails) stepErrors.push(`steps[${index}] ${step.action} by ${actor} was expected to fail, but succeeded`);
    }
    network.flush();
    for (const c of clients.values()) c.sync();
    adversary.read();
    if (properties.length > 0 && violations.length === 0) {
      const found = checkMembershipProperties(honestClients, history.ops, {
        soundness: properties.includes("soundness"),
        completeness: properties.includes("completeness") && !hasAdversary,
        ...(options.faults || scenario.faults ? { faults: new Set([...(options.faults ?? []), ...(scenario.faults ?? [])]) } : {}),
      });
      violations.push(...found.map((v) => `after steps[${index}]: ${v}`));
    }
    clock.tick(1000);
  });

  const judgement = judge(history.ops);
  const outcome = outcomeOf(judgement);
  const expected = scenario.expect[model] ?? null;
  const failure = violations[0] ?? expectationFailure(expected, outcome, judgement, stepErrors, properties.length > 0);
  return {
    scenario: scenario.name,
    threat: scenario.threat,
    model,
    seed,
    expected,
    outcome,
    judgement,
    step_errors: stepErrors,
    property_violations: violations,
    pass: failure === undefined,
    ...(failure ? { failure } : {}),
    history: history.ops,
  };
}

function expectationFailure(expected: ModelExpectation | null, outcome: Outcome, j: Judgement, stepErrors: string[], checksProperties: boolean): string | undefined {
  if (stepErrors.length > 0) return stepErrors[0];
  if (!expected) return checksProperties ? undefined : "the scenario gives no expectation for this model";
  if (expected.outcome !== outcome) return `expected ${expected.outcome}, observed ${outcome}`;
  const fr = j.false_rejections.length;
  const want = expected.false_rejections ?? 0;
  if (want === ">0" ? fr === 0 : fr !== want) return `expected ${want} false rejections, observed ${fr}`;
  return undefined;
}
