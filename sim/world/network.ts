/**
 * Federation between the in-memory homeservers (DESIGN.md §5): each server's events go to every
 * other server with a replica of the room, in order, through one FIFO queue that the runner
 * flushes after every step. An invite to a user on a server without the room hands that server a
 * replica first (the server-server invite and join handshakes, cut down).
 *
 * Optionally delayed: with `delay: n`, an event reaches other servers only at the n-th flush after
 * it was sent. Order is kept: nothing overtakes an earlier event.
 */
import type { Homeserver, NetworkLike, ToDeviceMessage } from "./homeserver.ts";
import type { WorldEvent } from "./room.ts";

export class Network implements NetworkLike {
  readonly servers = new Map<string, Homeserver>();
  private readonly queue: { from: Homeserver; to: Homeserver; event: WorldEvent; due: number }[] = [];
  private flushes = 0;
  /** Deliveries a model makes over federation of its own (a group server's writes), due like events. */
  private readonly later: { run: () => void; due: number }[] = [];

  constructor(private readonly options: { delay?: number } = {}) {}

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
    const due = this.flushes + (this.options.delay ?? 0);
    for (const server of this.servers.values())
      if (server !== from && server.rooms.has(event.room_id)) this.queue.push({ from, to: server, event, due });
  }

  /** A server takes back an event it has not yet delivered (withholding it from federation). */
  withdraw(from: Homeserver, eventId: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.event.event_id === eventId && this.queue[i]!.from === from) this.queue.splice(i, 1);
  }

  /** Deliver, in order, everything that is due. */
  flush(): void {
    while (this.queue.length > 0 && this.queue[0]!.due <= this.flushes) {
      const { to, event } = this.queue.shift()!;
      to.receive(event);
    }
    while (this.later.length > 0 && this.later[0]!.due <= this.flushes) this.later.shift()!.run();
    this.flushes++;
  }

  /** Run `deliver` when an event federated now would arrive: a model's own traffic between servers. */
  federateLater(deliver: () => void): void {
    this.later.push({ run: deliver, due: this.flushes + (this.options.delay ?? 0) });
  }

  /** Events sent but not yet delivered (or withdrawn by a withholding server), and models' own traffic still due. */
  get inFlight(): number {
    return this.queue.length + this.later.length;
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
