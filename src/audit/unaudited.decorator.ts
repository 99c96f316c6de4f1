// Every tenant entity is audited unless its class opts out (the audit log itself, raw deliveries).
const unaudited = new WeakSet<object>();

export function Unaudited(): ClassDecorator {
  return (target) => {
    unaudited.add(target);
  };
}

export function isAudited(entityClass: object | undefined): boolean {
  return entityClass !== undefined && !unaudited.has(entityClass);
}
