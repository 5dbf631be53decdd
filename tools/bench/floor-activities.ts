/** The floor workflows' one activity: it does nothing, so what is measured is Temporal's own dispatch. */
export const floorActivities = {
  async noop(): Promise<void> {},
};

export type FloorActivities = typeof floorActivities;
