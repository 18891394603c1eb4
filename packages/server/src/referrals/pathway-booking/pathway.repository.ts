/**
 * Free slots of a service from the directory's mirrors (`referrals_free_slot`, `referrals_schedule_service`:
 * public directory data kept in step with every Slot and Schedule write, in the write's transaction).
 * Read in the unit of work's own transaction, so slots freed a moment ago by a cancellation in the same
 * unit (a pathway being moved) are seen as free.
 */
import type { Queryable } from '../../db/database.ts';
import type { Candidate } from './planner.ts';

export class PathwayBookingRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /** The service's free slots starting in [from, to), soonest first. */
  async freeSlots(serviceId: string, from: Date, to: Date, limit = 500): Promise<Candidate[]> {
    const rows = await this.db.query<{ slot_id: string; start_at: Date | string; end_at: Date | string }>(
      `select f.slot_id, f.start_at, f.end_at
         from referrals_schedule_service ss
         join referrals_free_slot f on f.schedule_id = ss.schedule_id
        where ss.service_id = $1 and f.start_at >= $2 and f.start_at < $3
        order by f.start_at, f.slot_id
        limit $4`,
      [serviceId, from.toISOString(), to.toISOString(), limit],
    );
    return rows.map((r) => ({
      id: r.slot_id,
      start: new Date(r.start_at).toISOString(),
      end: new Date(r.end_at).toISOString(),
    }));
  }
}
