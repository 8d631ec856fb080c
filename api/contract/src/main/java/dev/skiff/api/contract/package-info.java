/**
 * The one definition of everything the operator writes and the runtime reads: the model.yaml and
 * router.yaml records, tensor datatypes, devices and formats, the runtime's command lines, its
 * ports, HTTP paths, headers and environment names, and the traffic redistribution rule. Plain
 * records and constants with Jackson only, so the runtime takes it without Fabric8.
 */
package dev.skiff.api.contract;
