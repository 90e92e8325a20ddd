/**
 * The homeserver as MLS Delivery Service (RFC 9420 §16; RFC 9750 §5): it holds KeyPackages,
 * orders handshake messages (the first Commit for an epoch wins, later ones for that epoch are
 * refused), and relays every message to every device subscribed to the group. It reads only
 * clear headers (group, epoch, content type).
 *
 * An honest DS calls `submit`; what a malicious one does instead is `relay`: any bytes, to any
 * devices, in any order — withholding, reordering, forking (different Commits to different
 * devices), replaying. It cannot decrypt, and it holds no member's signature key.
 */
import { type MlsDevice, type Received, peek } from "./engine.ts";

export interface Delivery {
  to: string;
  result: Received;
}

export const deviceKey = (d: MlsDevice) => `${d.id.user}/${d.id.device}`;

export class DeliveryService {
  private readonly devices = new Map<string, MlsDevice>();
  private readonly epochs = new Map<string, bigint>();
  /** Every message the DS accepted, in order: what it can replay. */
  readonly log: Uint8Array[] = [];

  connect(...ds: MlsDevice[]): void {
    for (const d of ds) this.devices.set(deviceKey(d), d);
  }

  /** Hand `bytes` to each named device, in order, and say what each made of it. */
  async relay(bytes: Uint8Array, to: readonly string[]): Promise<Delivery[]> {
    const out: Delivery[] = [];
    for (const k of to) {
      const d = this.devices.get(k);
      if (d) out.push({ to: k, result: await d.receive(bytes) });
    }
    return out;
  }

  /** Every connected device, in the order they connected. */
  all(): string[] {
    return [...this.devices.keys()];
  }

  /**
   * An honest DS: order, then fan out. A Commit for an epoch other than the group's current one is
   * refused. A Commit goes to the other devices first; if members at that epoch all refuse it
   * (RFC 9750 §5.2: the DS cannot judge an encrypted Commit, members can and tell it), it is
   * refused and its committer abandons it, so no honest DS leaves a committer forked off alone.
   * Otherwise the group moves on, the committer gets its Commit back, and a Welcome goes only to
   * the devices it names.
   */
  async submit(
    from: MlsDevice,
    bytes: Uint8Array,
    welcome?: { bytes: Uint8Array; to: readonly MlsDevice[] },
  ): Promise<{ accepted: true; deliveries: Delivery[] } | { accepted: false; reason: string; deliveries: Delivery[] }> {
    const h = peek(bytes);
    if (!h) return { accepted: false, reason: "not an MLS message", deliveries: [] };
    const others = this.all().filter((k) => k !== deviceKey(from));
    if (h.contentType !== "commit") {
      this.log.push(bytes);
      return { accepted: true, deliveries: await this.relay(bytes, others) };
    }
    const current = this.epochs.get(h.groupId) ?? h.epoch;
    if (h.epoch !== current) {
      from.abandon();
      return { accepted: false, reason: `Commit for epoch ${h.epoch}; the group is at ${current}`, deliveries: [] };
    }
    const members = others.filter((k) => this.devices.get(k)!.epoch() === h.epoch);
    const deliveries = await this.relay(bytes, members);
    const applied = deliveries.some((d) => d.result.kind === "commit" && d.result.outcome === "applied");
    if (members.length > 0 && !applied) {
      from.abandon();
      return { accepted: false, reason: "every member refused the Commit", deliveries };
    }
    this.epochs.set(h.groupId, current + 1n);
    this.log.push(bytes);
    deliveries.push(...(await this.relay(bytes, [deviceKey(from)])));
    deliveries.push(
      ...(await this.relay(
        bytes,
        others.filter((k) => !members.includes(k)),
      )),
    );
    if (welcome) {
      this.log.push(welcome.bytes);
      deliveries.push(...(await this.relay(welcome.bytes, welcome.to.map(deviceKey))));
    }
    return { accepted: true, deliveries };
  }
}
