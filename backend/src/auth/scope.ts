import { ForbiddenException } from '@nestjs/common';
import type { LabelMatcher, Region, UserInfo } from '@district-monitor/streams';

/**
 * District scope, decided like a police product: a user with a district list reads and changes only
 * those districts; region-wide reads (every district, the region's producer alerts, user and key
 * records) belong to users without a district list (`districts: null`). Admin routes stay admin-only.
 */

/** Whether the user holds the whole region (no district list). */
export function regionWide(user: UserInfo): boolean {
  return user.districts === null;
}

/** Whether the user may read or act on district (or alert group) `code`. */
export function inScope(user: UserInfo, code: string): boolean {
  return user.districts === null || user.districts.includes(code);
}

/** The user's districts among `codes` (all of them for a region-wide user). */
export function scopedCodes(user: UserInfo, codes: readonly string[]): string[] {
  return codes.filter((code) => inScope(user, code));
}

/** 403 unless the user may read district `code`. */
export function requireInScope(user: UserInfo, code: string): void {
  if (!inScope(user, code)) {
    throw new ForbiddenException(`district ${code} is outside the districts of user "${user.username}"`);
  }
}

/** Every value an alert's `district` label can take: the region's districts and the region code (producer alerts). */
export function alertGroups(region: Region): string[] {
  return [...region.units.filter((unit) => unit.kind === 'district').map((unit) => unit.code), region.code];
}

/**
 * The alert groups a silence can reach: those its `district` matchers let through (every group when
 * it has none). Exact, since an alert's district label is always one of `groups`.
 */
export function silenceReach(matchers: readonly LabelMatcher[], groups: readonly string[]): string[] {
  const districtMatchers = matchers.filter((matcher) => matcher.label === 'district');
  return groups.filter((code) =>
    districtMatchers.every((matcher) => {
      switch (matcher.op) {
        case '=':
          return code === matcher.value;
        case '!=':
          return code !== matcher.value;
        case '=~':
          return new RegExp(`^(?:${matcher.value})$`).test(code);
        case '!~':
          return !new RegExp(`^(?:${matcher.value})$`).test(code);
      }
    }),
  );
}

/**
 * Whether a silence stays within the user's districts: it names at least one `district` matcher and
 * every group it can reach is the user's. A silence without a district matcher reaches the region.
 */
export function silenceWithin(
  user: UserInfo,
  matchers: readonly LabelMatcher[],
  groups: readonly string[],
): boolean {
  if (user.districts === null) return true;
  if (!matchers.some((matcher) => matcher.label === 'district')) return false;
  return silenceReach(matchers, groups).every((code) => inScope(user, code));
}

/**
 * Whether a user may see a silence: one confined to the user's districts, or a region-wide one (no
 * district matcher: it silences the user's alerts too). A silence of other districts, or of the
 * user's and others together, is not shown to a scoped user.
 */
export function silenceVisible(
  user: UserInfo,
  matchers: readonly LabelMatcher[],
  groups: readonly string[],
): boolean {
  if (user.districts === null) return true;
  if (!matchers.some((matcher) => matcher.label === 'district')) return true;
  const reach = silenceReach(matchers, groups);
  return reach.length > 0 && reach.every((code) => inScope(user, code));
}
