// Validates Kubernetes objects against their schemas: core and apps objects with kubernetes-models, Strimzi's
// Kafka, KafkaNodePool and KafkaTopic, and the Prometheus Operator's PodMonitor with their model packages.
// Usage: kubectl kustomize deploy/k8s/overlays/cpu | node tools/k8s/validate.mjs cpu
import yaml from "js-yaml";

const packages = {
  "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator/monitoring.coreos.com",
};

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});
const label = process.argv[2] ?? "stdin";
const objects = yaml.loadAll(input).filter((o) => o);
if (objects.length === 0) {
  console.error(`${label}: no objects to validate`);
  process.exit(1);
}
let failures = 0;
for (const o of objects) {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
  const module = packages[group] ? `${packages[group]}/${version}` : `kubernetes-models/${group ? group + "/" : ""}${version}`;
  const where = `${o.kind} ${o.metadata?.name}`;
  try {
    const models = await import(module);
    const Model = models[o.kind];
    if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
    new Model(o).validate();
  } catch (e) {
    failures++;
    console.error(`${label}: ${where}: ${e.message}`);
  }
}
console.log(`${label}: ${objects.length} objects, ${failures} invalid`);
process.exit(failures ? 1 : 0);
