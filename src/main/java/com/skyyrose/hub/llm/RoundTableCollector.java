package com.skyyrose.hub.llm;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The round table's aggregation strategy: it only collects each provider's {@link Candidate} into a list on the
 * aggregated exchange. Scoring and choosing happen after the fan-out in {@link RoundTableService#select}: a
 * trivial {@code aggregate()} keeps the multicast timeout reliable (CAMEL-24142).
 */
@Component("roundTableCollector")
public class RoundTableCollector implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Object reply = newExchange.getMessage().getBody();
        Candidate candidate = reply instanceof Candidate c ? c : null;
        Exchange target = oldExchange == null ? newExchange : oldExchange;
        @SuppressWarnings("unchecked")
        List<Candidate> collected = target.getProperty(RoundTableService.COLLECTED, List.class);
        if (collected == null) {
            collected = new ArrayList<>();
            target.setProperty(RoundTableService.COLLECTED, collected);
        }
        if (candidate != null) {
            collected.add(candidate);
        }
        // a branch that threw (it should not: ProviderCaller never throws) must not fail the round
        newExchange.setException(null);
        target.setException(null);
        return target;
    }
}
