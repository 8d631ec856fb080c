/**
 * How traffic reaches the versions in one reconcile: what splits it (the stable Service, the router
 * or an HTTPRoute), each version's declared and effective weight (the contract's {@link
 * dev.skiff.api.contract.TrafficShares} rule) and the drain of removed versions. Pure, like the
 * desired state and the status that read the plan.
 */
package dev.skiff.operator.traffic;
