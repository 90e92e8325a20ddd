/**
 * Federation between the in-memory homeservers (DESIGN.md §5): each server's events go to every
 * other server with a replica of the room, in order, through one FIFO queue that the runner
 * flushes after every step. An invite to a user on a server without the room hands that server a
 * replica first (the server-server invite and join handshakes, cut down).
 *
 * Optionally delayed: with `delay: n`, an event reaches other servers only at the n-th flush after
 * it was sent; `pairs` sets the delay of single directions (`"a.example>b.example": n`), the
 * adversary's federation-delay search space. Order is kept between each pair of servers: nothing
 * overtakes an earlier event on the same way.
 */
import type { Homeserver, NetworkLike, ToDeviceMessage } from "./homeserver.ts";
import type { WorldEvent } from "./room.ts";

export class Network implements NetworkLike {
  readonly servers = new Map<string, Homeserver>();
  private readonly queue: { from: Homeserver; to: Homeserver; event: WorldEvent; due: number }[] = [];
  private flushCount = 0;
  /** Deliveries a model makes over federation of its own (a group server's writes), due like events. */
  private readonly later: { run: () => void; due: number }[] = [];

  constructor(
    private readonly options: {
      delay?: number;
      pairs?: Readonly<Record<string, number>>;
      /** The flush from which the delays hold (before it, events arrive before the next step). Default 0. */
      from?: number;
    } = {},
  ) {}

  /** The delay, in flushes, from one server to another. */
  private delayOf(from: Homeserver, to: Homeserver): number {
    if (this.flushCount < (this.options.from ?? 0)) return 0;
    return this.options.pairs?.[`${from.name}>${to.name}`] ?? this.options.delay ?? 0;
  }

  add(server: Homeserver): Homeserver {
    this.servers.set(server.name, server);
    return server;
  }

  serverOf(userId: string): Homeserver | undefined {
    return this.servers.get(userId.slice(userId.indexOf(":") + 1));
  }

  federate(from: Homeserver, event: WorldEvent): void {
    // A remote user being invited or joining brings their server into the room.
    if (event.type === "m.room.member" && event.state_key !== undefined) {
      const target = this.serverOf(event.state_key);
      if (target && target !== from && !target.rooms.has(event.room_id)) {
        target.adopt(event.room_id, from.rooms.get(event.room_id)?.events.filter((e) => e !== event) ?? []);
      }
    }
    for (const server of this.servers.values())
      if (server !== from && server.rooms.has(event.room_id))
        this.queue.push({ from, to: server, event, due: this.flushCount + this.delayOf(from, server) });
  }

  get flushes(): number {
    return this.flushCount;
  }

  /** A server takes back an event it has not yet delivered (withholding it from federation); how many deliveries it took back. */
  withdraw(from: Homeserver, eventId: string): number {
    let taken = 0;
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.event.event_id === eventId && this.queue[i]!.from === from) {
        this.queue.splice(i, 1);
        taken++;
      }
    return taken;
  }

  /**
   * Deliver, in order, everything that is due. With one delay for every pair the queue's due times
   * only grow, so this delivers its head while it is due, as a FIFO; with per-pair delays an event
   * due now may sit behind one due later on another way, and is delivered past it. Each pair's own
   * events keep their order, since a pair's delay is fixed.
   */
  flush(): void {
    for (let i = 0; i < this.queue.length; ) {
      const item = this.queue[i]!;
      if (item.due > this.flushCount) {
        if (!this.options.pairs && !this.options.from) break;
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      item.to.receive(item.event);
    }
    while (this.later.length > 0 && this.later[0]!.due <= this.flushCount) this.later.shift()!.run();
    this.flushCount++;
    // What servers withheld for a while and is now due goes out, to be delivered from the next flush on.
    for (const server of this.servers.values()) server.release();
  }

  /** Run `deliver` when an event federated now would arrive: a model's own traffic between servers. */
  federateLater(deliver: () => void): void {
    const delay = this.flushCount < (this.options.from ?? 0) ? 0 : (this.options.delay ?? 0);
    this.later.push({ run: deliver, due: this.flushCount + delay });
  }

  /** Events sent but not yet delivered (or withdrawn by a withholding server), and models' own traffic still due. */
  get inFlight(): number {
    let withheld = 0;
    for (const server of this.servers.values()) withheld += server.withheldForAWhile;
    return this.queue.length + this.later.length + withheld;
  }

  /** The events of a room, from the first server (in order of creation) that has it. */
  snapshot(roomId: string, asking: Homeserver): WorldEvent[] | undefined {
    for (const server of this.servers.values())
      if (server !== asking && server.rooms.has(roomId)) return [...server.rooms.get(roomId)!.events];
    return undefined;
  }

  sendToDevice(userId: string, deviceId: string, message: ToDeviceMessage): void {
    this.serverOf(userId)?.deliverToDevice(userId, deviceId, message);
  }

  /** Is `userId` joined to `roomId` as the user's own server sees it? (Restricted joins ask this.) */
  isJoined(roomId: string, userId: string): boolean {
    return this.serverOf(userId)?.rooms.get(roomId)?.membership(userId) === "join";
  }
}
