package dev.skiff.api.contract;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one redistribution rule, used by the operator (router config, HTTPRoute weights, status) and
 * by the router (which versions its own health checks find ready): a version without a ready
 * replica gets 0, and its share is spread over the ready versions in proportion to their declared
 * weights (50/30/20 with the first down gives 0/60/40), in whole percents that add up to 100 by the
 * largest-remainder method (ties go to the version declared first). Whole percents because that is
 * what the router config, the HTTPRoute and the status carry, so every place that shows a weight
 * shows the same number.
 */
public final class TrafficShares {

  private TrafficShares() {}

  /**
   * Effective weights, in the order of {@code declared}. All 0 when no ready version has a weight
   * above 0 (nothing can carry the traffic).
   *
   * @param declared each version's declared weight, 0 or more
   * @param ready the versions that can take traffic now
   */
  public static Map<String, Integer> effective(Map<String, Integer> declared, Set<String> ready) {
    Map<String, Integer> result = new LinkedHashMap<>();
    long total = 0;
    for (Map.Entry<String, Integer> e : declared.entrySet()) {
      result.put(e.getKey(), 0);
      if (ready.contains(e.getKey())) {
        total += e.getValue();
      }
    }
    if (total == 0) {
      return result;
    }
    record Share(String name, long remainder, int order) {}
    List<Share> shares = new ArrayList<>();
    int order = 0;
    int assigned = 0;
    for (Map.Entry<String, Integer> e : declared.entrySet()) {
      if (ready.contains(e.getKey()) && e.getValue() > 0) {
        long scaled = 100L * e.getValue();
        int floor = (int) (scaled / total);
        shares.add(new Share(e.getKey(), scaled % total, order));
        result.put(e.getKey(), floor);
        assigned += floor;
      }
      order++;
    }
    shares.sort(
        Comparator.comparingLong(Share::remainder).reversed().thenComparingInt(Share::order));
    for (int i = 0; i < 100 - assigned; i++) {
      result.merge(shares.get(i % shares.size()).name(), 1, Integer::sum);
    }
    return result;
  }
}
