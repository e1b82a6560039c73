package com.skyyrose.hub.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the LLM round table ({@code hub.llm.*} in application.yaml, each backed by an env var; the providers
 * themselves are route files, routes/round-table/providers/): the round's deadline, retries, circuit breakers, selection weights, judge, price table, cache and the brand-voice
 * fallback used when no brand-context route is present.
 */
@ConfigurationProperties("hub.llm")
public class LlmProperties {

    /**
     * The shipped providers' ids, first in panel order (the deterministic tie-break order); providers added as
     * route files (routes/round-table/providers/) follow by id.
     */
    public static final List<String> PROVIDER_IDS = List.of("openai", "anthropic", "gemini", "openai-compatible");

    private Duration deadline = Duration.ofSeconds(20);
    private int poolSize = 128;
    private Duration cacheTtl = Duration.ofMinutes(10);
    private int defaultMaxTokens = 1024;
    private Retry retry = new Retry();
    private Circuit circuit = new Circuit();
    private Quorum quorum = new Quorum();
    private LatencyBudget latencyBudget = new LatencyBudget();
    private Judge judge = new Judge();
    private Map<String, Double> weights = new LinkedHashMap<>();
    /** USD per million tokens: {@code model=input/output,model=input/output}. */
    private String prices = "";
    private int ragPassages = 4;
    /** Passages retrieved for the question to check the answers' claims (the first {@code ragPassages} are shown). */
    private int scoringPassages = 10;
    private Brand brand = new Brand();

    public static class Retry {
        private int maxAttempts = 3;
        private Duration backoff = Duration.ofMillis(250);
        private Duration maxWait = Duration.ofSeconds(10);

        public int getMaxAttempts() { return maxAttempts; }
        public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
        public Duration getBackoff() { return backoff; }
        public void setBackoff(Duration backoff) { this.backoff = backoff; }
        public Duration getMaxWait() { return maxWait; }
        public void setMaxWait(Duration maxWait) { this.maxWait = maxWait; }
    }

    public static class Circuit {
        private int window = 10;
        private int minimumCalls = 4;
        private float failureRate = 50f;
        private Duration openFor = Duration.ofSeconds(30);
        private int halfOpenCalls = 1;
        /** A call slower than this is a slow call; the breaker opens when slow-call-rate % of the window are. */
        private Duration slowCall = Duration.ofSeconds(10);
        private float slowCallRate = 50f;

        public int getWindow() { return window; }
        public void setWindow(int window) { this.window = window; }
        public int getMinimumCalls() { return minimumCalls; }
        public void setMinimumCalls(int minimumCalls) { this.minimumCalls = minimumCalls; }
        public float getFailureRate() { return failureRate; }
        public void setFailureRate(float failureRate) { this.failureRate = failureRate; }
        public Duration getOpenFor() { return openFor; }
        public void setOpenFor(Duration openFor) { this.openFor = openFor; }
        public int getHalfOpenCalls() { return halfOpenCalls; }
        public void setHalfOpenCalls(int halfOpenCalls) { this.halfOpenCalls = halfOpenCalls; }
        public Duration getSlowCall() { return slowCall; }
        public void setSlowCall(Duration slowCall) { this.slowCall = slowCall; }
        public float getSlowCallRate() { return slowCallRate; }
        public void setSlowCallRate(float slowCallRate) { this.slowCallRate = slowCallRate; }
    }

    /**
     * When a round may close before every provider answered: once {@code defaultQuorum} providers answered (see
     * {@link com.skyyrose.hub.llm.Quorum}) and a grace period has passed — the larger of {@code graceMin} and
     * {@code graceFactor} × the time the quorum took, at most {@code graceMax}, never past the deadline.
     */
    public static class Quorum {
        private String defaultQuorum = com.skyyrose.hub.llm.Quorum.ALL_BUT_ONE;
        private Duration graceMin = Duration.ofSeconds(1);
        private double graceFactor = 0.5;
        private Duration graceMax = Duration.ofSeconds(5);

        public String getDefaultQuorum() { return defaultQuorum; }
        public void setDefaultQuorum(String defaultQuorum) { this.defaultQuorum = defaultQuorum; }
        public Duration getGraceMin() { return graceMin; }
        public void setGraceMin(Duration graceMin) { this.graceMin = graceMin; }
        public double getGraceFactor() { return graceFactor; }
        public void setGraceFactor(double graceFactor) { this.graceFactor = graceFactor; }
        public Duration getGraceMax() { return graceMax; }
        public void setGraceMax(Duration graceMax) { this.graceMax = graceMax; }
    }

    /**
     * A provider is flagged slow on the providers endpoint when its recent p95 (late and timed-out calls counted
     * with their latency so far) exceeds both {@code factor} × and {@code margin} + the median p95 of the others.
     */
    public static class LatencyBudget {
        private double factor = 3.0;
        private Duration margin = Duration.ofSeconds(1);
        private int minimumCalls = 3;

        public double getFactor() { return factor; }
        public void setFactor(double factor) { this.factor = factor; }
        public Duration getMargin() { return margin; }
        public void setMargin(Duration margin) { this.margin = margin; }
        public int getMinimumCalls() { return minimumCalls; }
        public void setMinimumCalls(int minimumCalls) { this.minimumCalls = minimumCalls; }
    }

    public static class Judge {
        private String mode = "auto";
        /**
         * "auto" asks the judge when the answers' mean word overlap ({@link Selector}'s agreement) is below this.
         * Calibrated on the evaluation sets (SelectorTest#theJudgeTriggerFiresWhenAnAnswerIsOffTopicOrARefusal):
         * panels with an off-topic or irrelevant answer or a refusal lie at 0–0.28, three answers on the same subject
         * that differ only in style or facts at 0.31 and above — so the claims, not the judge, decide those.
         */
        private double disagreementThreshold = 0.3;
        private String provider = "";
        private Duration timeout = Duration.ofSeconds(15);

        public String getMode() { return mode; }
        public void setMode(String mode) { this.mode = mode; }
        public double getDisagreementThreshold() { return disagreementThreshold; }
        public void setDisagreementThreshold(double v) { this.disagreementThreshold = v; }
        public String getProvider() { return provider; }
        public void setProvider(String provider) { this.provider = provider; }
        public Duration getTimeout() { return timeout; }
        public void setTimeout(Duration timeout) { this.timeout = timeout; }
    }

    public static class Brand {
        private String name = "SkyyRose";
        private String tagline = "Where Love Meets Luxury";
        private String location = "Oakland, California";
        private String philosophy = "";
        private String tonePrimary = "";
        private List<String> toneDescriptors = new ArrayList<>();
        private List<String> avoid = new ArrayList<>();
        private List<String> collections = new ArrayList<>();
        private List<String> productTypes = new ArrayList<>();

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getTagline() { return tagline; }
        public void setTagline(String tagline) { this.tagline = tagline; }
        public String getLocation() { return location; }
        public void setLocation(String location) { this.location = location; }
        public String getPhilosophy() { return philosophy; }
        public void setPhilosophy(String philosophy) { this.philosophy = philosophy; }
        public String getTonePrimary() { return tonePrimary; }
        public void setTonePrimary(String tonePrimary) { this.tonePrimary = tonePrimary; }
        public List<String> getToneDescriptors() { return toneDescriptors; }
        public void setToneDescriptors(List<String> v) { this.toneDescriptors = v; }
        public List<String> getAvoid() { return avoid; }
        public void setAvoid(List<String> avoid) { this.avoid = avoid; }
        public List<String> getCollections() { return collections; }
        public void setCollections(List<String> collections) { this.collections = collections; }
        public List<String> getProductTypes() { return productTypes; }
        public void setProductTypes(List<String> productTypes) { this.productTypes = productTypes; }

        /** The fallback brand context in the shape {@code direct:brand-context} returns. */
        public Map<String, Object> asContext() {
            Map<String, Object> ctx = new LinkedHashMap<>();
            ctx.put("version", "config");
            ctx.put("name", name);
            ctx.put("tagline", tagline);
            ctx.put("philosophy", philosophy);
            ctx.put("location", location);
            ctx.put("tone", Map.of("primary", tonePrimary, "descriptors", List.copyOf(toneDescriptors),
                    "avoid", List.copyOf(avoid)));
            ctx.put("product_types", List.copyOf(productTypes));
            List<Map<String, Object>> cols = new ArrayList<>();
            for (String c : collections) {
                String[] parts = c.split(":", 2);
                cols.add(Map.of("name", parts[0].trim(), "description", parts.length > 1 ? parts[1].trim() : ""));
            }
            ctx.put("collections", cols);
            return ctx;
        }
    }

    /** A model's price, USD per million tokens. */
    public record Price(double inputPerMillion, double outputPerMillion) {
    }

    public Map<String, Price> priceTable() {
        Map<String, Price> table = new LinkedHashMap<>();
        for (String entry : prices.split(",")) {
            String[] kv = entry.trim().split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            String[] io = kv[1].split("/", 2);
            try {
                table.put(kv[0].trim().toLowerCase(Locale.ROOT), new Price(Double.parseDouble(io[0].trim()),
                        Double.parseDouble(io.length > 1 ? io[1].trim() : io[0].trim())));
            } catch (NumberFormatException e) {
                // a malformed entry prices nothing rather than failing start-up
            }
        }
        return table;
    }

    public Duration getDeadline() { return deadline; }
    public void setDeadline(Duration deadline) { this.deadline = deadline; }
    public int getPoolSize() { return poolSize; }
    public void setPoolSize(int poolSize) { this.poolSize = poolSize; }
    public Duration getCacheTtl() { return cacheTtl; }
    public void setCacheTtl(Duration cacheTtl) { this.cacheTtl = cacheTtl; }
    public int getDefaultMaxTokens() { return defaultMaxTokens; }
    public void setDefaultMaxTokens(int v) { this.defaultMaxTokens = v; }
    public Retry getRetry() { return retry; }
    public void setRetry(Retry retry) { this.retry = retry; }
    public Circuit getCircuit() { return circuit; }
    public void setCircuit(Circuit circuit) { this.circuit = circuit; }
    public Quorum getQuorum() { return quorum; }
    public void setQuorum(Quorum quorum) { this.quorum = quorum; }
    public LatencyBudget getLatencyBudget() { return latencyBudget; }
    public void setLatencyBudget(LatencyBudget latencyBudget) { this.latencyBudget = latencyBudget; }
    public Judge getJudge() { return judge; }
    public void setJudge(Judge judge) { this.judge = judge; }
    public Map<String, Double> getWeights() { return weights; }
    public void setWeights(Map<String, Double> weights) { this.weights = weights; }
    public String getPrices() { return prices; }
    public void setPrices(String prices) { this.prices = prices; }
    public int getRagPassages() { return ragPassages; }
    public void setRagPassages(int ragPassages) { this.ragPassages = ragPassages; }
    public int getScoringPassages() { return scoringPassages; }
    public void setScoringPassages(int scoringPassages) { this.scoringPassages = scoringPassages; }
    public Brand getBrand() { return brand; }
    public void setBrand(Brand brand) { this.brand = brand; }
}
