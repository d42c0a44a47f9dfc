import { Inject } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import {
  districtsOf,
  type Alert,
  type AlertNotification,
  type AlertRoomAnswer,
  type ClientToServerEvents,
  type Region,
  type ServerToClientEvents,
  type UserInfo,
} from '@district-monitor/streams';
import type { SocketData } from '../../http/access.js';
import { REGION } from '../../config/tokens.js';
import { groupByRooms, isAlertRoom, roomsForRequest, roomsOfNotification } from './alert-rooms.js';

/** Until the handshake middleware has run (or where it let no user through), `user` is absent. */
type AlertSocketData = Partial<SocketData>;
type AlertServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, AlertSocketData>;
type AlertSocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, AlertSocketData>;

/**
 * Alerts over Socket.IO, on the same server as the board (LiveGateway). A socket chooses its rooms with
 * `alerts:subscribe` (see alert-rooms.ts for the rooms and how a user limited to some districts is kept
 * to them); `alerts` and `alerts:notification` go to the rooms of what they carry, each socket getting
 * an item once.
 */
@WebSocketGateway({ serveClient: false })
export class AlertsGateway {
  @WebSocketServer() private readonly server: AlertServer | undefined;
  private readonly districts: ReadonlySet<string>;

  constructor(@Inject(REGION) region: Region) {
    this.districts = new Set(districtsOf(region).map((unit) => unit.code));
  }

  /** Replaces the socket's alert rooms; answers the rooms joined, or what is wrong with the request. */
  @SubscribeMessage('alerts:subscribe')
  async onSubscribe(
    @ConnectedSocket() client: AlertSocket,
    @MessageBody() request: unknown,
  ): Promise<AlertRoomAnswer> {
    const user: UserInfo | undefined = client.data.user;
    const answer = roomsForRequest(user, request, this.districts);
    if (!answer.ok) return answer;
    for (const room of [...client.rooms].filter(isAlertRoom)) await client.leave(room);
    await client.join([...answer.rooms]);
    return answer;
  }

  /** `alerts`: one emit per group of alerts with the same rooms. */
  publishAlerts(alerts: readonly Alert[]): void {
    const server = this.server;
    if (server === undefined || alerts.length === 0) return;
    const at = new Date().toISOString();
    for (const group of groupByRooms(alerts))
      server.to(group.rooms).emit('alerts', { at, alerts: group.alerts });
  }

  /** `alerts:notification` to the rooms of its district and of each of its alerts. */
  notify(notification: AlertNotification): void {
    this.server?.to(roomsOfNotification(notification)).emit('alerts:notification', notification);
  }
}
