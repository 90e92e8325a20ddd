/**
 * Runs one scenario under one defence model: builds the world from the seed, carries out the
 * steps (honest clients act through their homeservers; the adversary through its declared
 * capabilities), lets every device sync after each step, drains the network at the end (every
 * device syncing after each delivery), and only then asks the oracle what happened.
 */
import { signingKeyFromSeed } from "../sim/core/ed25519.ts";
import type { MembershipVerifier } from "../sim/core/verify-membership.ts";
import { MODELS, type ModelId } from "../sim/models/index.ts";
import { Adversary } from "../sim/world/adversary.ts";
import { Client, type World } from "../sim/world/client.ts";
import type { DefenceModel } from "../sim/world/defence-model.ts";
import { Clock } from "../sim/world/clock.ts";
import { memoizingBackend } from "../sim/world/ed25519-memo.ts";
import { History, type Operation } from "../sim/world/history.ts";
import { ApiError, Homeserver, maliciousHomeserver } from "../sim/world/homeserver.ts";
import { IdentityServer } from "../sim/world/identity-server.ts";
import { Network } from "../sim/world/network.ts";
import { type Judgement, type Outcome, judge, outcomeOf } from "../sim/world/oracle.ts";
import { checkMembershipProperties } from "../sim/world/properties.ts";
import { RoomSessions } from "../sim/world/sessions.ts";
import { Rng } from "../sim/world/rng.ts";
import { verifyWithPlantedBugs } from "../test-support/planted-bugs.ts";
import { actionOf } from "./actions/index.ts";
import type { RunContext } from "./actions/schema.ts";
import type { ModelExpectation, Scenario, StepBase } from "./format.ts";

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

/** More flushes than any declared delay needs to deliver what is in flight. */
const DRAIN_ROUNDS = 1000;

const serverName = (userId: string): string => userId.slice(userId.indexOf(":") + 1);

export interface RunOptions {
  seed?: number;
  /**
   * Test-only: the verifier the membership properties are checked with, instead of
   * `verifyMembership` (a verifier with a planted bug, from test-support/planted-bugs.ts).
   * A scenario's own `faults` are planted the same way when this is not given.
   */
  verify?: MembershipVerifier;
  /** A model to run instead of the registered one of that ID (a model in development, or a test's). */
  defence?: DefenceModel;
}

export async function runScenario(scenario: Scenario, model: ModelId, options: RunOptions = {}): Promise<ScenarioRun> {
  const seed = options.seed ?? scenario.seed;
  const rng = new Rng(`${seed}`);
  const clock = new Clock();
  const history = new History();
  const network = new Network({
    delay: scenario.network?.delay ?? 0,
    ...(scenario.network?.pairs ? { pairs: scenario.network.pairs } : {}),
    ...(scenario.network?.from_step ? { from: scenario.network.from_step } : {}),
  });
  const identity = new IdentityServer("id.example", signingKeyFromSeed(rng.bytes("identity server key", 32)), rng);
  const world: World = { rng, clock, history, network, identity, ed25519: memoizingBackend() };
  const context = { clock, history, network };
  for (const s of scenario.adversary.servers) {
    network.add(maliciousHomeserver(s.name, context, Object.fromEntries(s.capabilities.map((c) => [c, true]))));
  }
  for (const u of scenario.users)
    if (!network.servers.has(serverName(u))) network.add(new Homeserver(serverName(u), context));
  const defence = options.defence ?? MODELS[model];
  const clients = new Map(scenario.users.map((u) => [u, new Client(u, network.serverOf(u)!, world, defence)]));
  const adversary = new Adversary(world, defence);
  const rooms = new Map<string, string>();
  let messages = 0;
  const ctx: RunContext = {
    world,
    adversary,
    client: (u) => clients.get(u)!,
    server: (name) => network.servers.get(name)!,
    // A refused step may leave a handle unnamed: honest clients then refuse what names it, as they always have.
    room: (handle) => rooms.get(handle)!,
    namedRoom: (handle) => {
      const roomId = rooms.get(handle);
      if (roomId === undefined)
        throw new ApiError("M_NOT_FOUND", `no room is named ${handle}: the step that would have named it was refused`);
      return roomId;
    },
    nameRoom: (handle, roomId) => void rooms.set(handle, roomId),
    aliases: new Map(),
    nextMessage: () => `m${++messages}`,
    membership: (room, user, membership, by, honest = true) =>
      history.record({ op: "membership", t: clock.now(), room, user, membership, by, honest }),
  };
  const stepErrors: string[] = [];
  const violations: string[] = [];
  const honestClients = [...clients.values()].filter((c) => !scenario.adversary.colluding.includes(c.userId));
  const properties = scenario.properties ?? [];
  const hasAdversary = scenario.adversary.servers.length > 0;
  const verify = options.verify ?? (scenario.faults?.length ? verifyWithPlantedBugs(scenario.faults) : undefined);
  const propertySessions = new Map<string, RoomSessions>();

  for (const [index, step] of scenario.steps.entries()) {
    const def = actionOf(step.action)!;
    const actor = "user" in step ? step.user : "server" in step ? step.server : "?";
    let error: string | undefined;
    try {
      await def.run(ctx, step as never);
      await adversary.settle();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      error = `${e.errcode}: ${e.message}`;
    }
    history.record({
      op: "step",
      t: clock.now(),
      index,
      action: step.action,
      actor,
      honest: def.honest,
      ok: error === undefined,
      ...(error ? { error } : {}),
    });
    const fails = (step as StepBase).fails === true;
    if (scenario.refusals !== "allowed") {
      if (error !== undefined && !fails)
        stepErrors.push(`steps[${index}] ${step.action} by ${actor} was refused: ${error}`);
      if (error === undefined && fails)
        stepErrors.push(`steps[${index}] ${step.action} by ${actor} was expected to fail, but succeeded`);
    }
    network.flush();
    for (const c of clients.values()) await c.sync();
    await adversary.read();
    if (properties.length > 0 && violations.length === 0) {
      const check = {
        soundness: properties.includes("soundness"),
        completeness: properties.includes("completeness") && !hasAdversary,
        ...(verify ? { verify } : { sessions: propertySessions }),
      };
      violations.push(
        ...checkMembershipProperties(honestClients, history.ops, check).map((v) => `after steps[${index}]: ${v}`),
      );
    }
    clock.tick(1000);
  }

  // Policy: quiescence. A run is judged only once the network has drained: every event still in
  // flight delivered (or withdrawn by a server declared to withhold), each delivery followed by a
  // sync of every device, so that nothing the steps set going escapes the judgement.
  for (let round = 0; network.inFlight > 0; round++) {
    if (round > DRAIN_ROUNDS) throw new Error(`the network did not drain in ${DRAIN_ROUNDS} rounds`);
    network.flush();
    for (const c of clients.values()) await c.sync();
    await adversary.read();
  }
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

function expectationFailure(
  expected: ModelExpectation | null,
  outcome: Outcome,
  j: Judgement,
  stepErrors: string[],
  checksProperties: boolean,
): string | undefined {
  if (stepErrors.length > 0) return stepErrors[0];
  if (!expected) return checksProperties ? undefined : "the scenario gives no expectation for this model";
  if (expected.outcome !== outcome) return `expected ${expected.outcome}, observed ${outcome}`;
  const fr = j.false_rejections.length;
  const want = expected.false_rejections ?? 0;
  if (want === ">0" ? fr === 0 : fr !== want) return `expected ${want} false rejections, observed ${fr}`;
  const fa = j.false_alarms.length;
  const alarmsWanted = expected.false_alarms;
  if (alarmsWanted !== undefined && (alarmsWanted === ">0" ? fa === 0 : fa !== alarmsWanted))
    return `expected ${alarmsWanted} false alarms, observed ${fa}`;
  return undefined;
}
