package com.skyyrose.hub.tools;

import com.skyyrose.hub.api.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Guards every URL a user supplies (image URLs, media sources) before the hub or a vendor fetches it:
 * https only; no userinfo; no numeric host spelt ambiguously (decimal {@code 2130706433}, octal, hex); the host is
 * resolved and refused when any address is loopback, unspecified, private, link-local (incl. metadata
 * 169.254.169.254), CGNAT, ULA, multicast, IPv4-mapped/compatible IPv6, NAT64/6to4 or otherwise reserved.
 * {@code HUB_SSRF_ALLOWLIST} (hosts or CIDRs) admits named test hosts, then also over http.
 * {@link #download} connects to the validated address itself (pinned DNS, no second lookup) and re-checks every
 * redirect hop.
 */
@Component
public class SsrfGuard {

    private static final Pattern AMBIGUOUS_NUMERIC = Pattern.compile("^(0x[0-9a-f]*|[0-9]+)$");

    /** A user URL that passed: connect only to {@code address}. */
    public record Target(URI uri, InetAddress address) {
    }

    public record Download(byte[] bytes, String contentType, URI finalUri) {
    }

    private final List<String> allowedHosts = new ArrayList<>();
    private final List<Cidr> allowedCidrs = new ArrayList<>();
    private final long maxBytes;
    private final int maxRedirects;

    public SsrfGuard(@Value("${hub.ssrf.allowlist:}") String allowlist,
            @Value("${hub.ssrf.max-download-bytes:20971520}") long maxBytes,
            @Value("${hub.ssrf.max-redirects:3}") int maxRedirects) {
        for (String entry : allowlist.split(",")) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (e.contains("/")) {
                allowedCidrs.add(Cidr.parse(e));
            } else {
                allowedHosts.add(e);
            }
        }
        this.maxBytes = maxBytes;
        this.maxRedirects = maxRedirects;
    }

    /** Validates a user-supplied URL; {@code field} names it in the 400 problem. */
    public Target check(String field, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            throw refuse(field, "is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw refuse(field, "must be an absolute https URL with a host");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (uri.getRawUserInfo() != null) {
            throw refuse(field, "must not carry credentials");
        }
        // a real host name ends in an alphabetic TLD: a numeric last label is an IP literal, only dotted-quad accepted
        if (!host.contains(":") && AMBIGUOUS_NUMERIC.matcher(host.substring(host.lastIndexOf('.') + 1)).matches()
                && !isDottedQuad(host)) {
            throw refuse(field, "uses an ambiguous numeric host");
        }
        // Java turns an IPv4-mapped literal (::ffff:a.b.c.d) into plain IPv4; a vendor fetching the URL may not
        if (host.contains(":") && literal(host) instanceof Inet4Address) {
            throw refuse(field, "uses an IPv4-mapped IPv6 address");
        }
        boolean hostAllowed = allowedHosts.contains(host);
        if (!scheme.equals("https") && !(scheme.equals("http") && (hostAllowed || allowlistedLiteral(host)))) {
            throw refuse(field, "must use https");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw refuse(field, "host does not resolve");
        }
        InetAddress refused = firstRefused(host, addresses);
        if (refused != null) {
            throw refuse(field, "resolves to a non-public address (" + refused.getHostAddress() + ")");
        }
        return new Target(uri, addresses[0]);
    }

    /** The first address of {@code host} the rules refuse (non-public, not allowlisted), or null. */
    private InetAddress firstRefused(String host, InetAddress[] addresses) {
        if (allowedHosts.contains(host)) {
            return null;
        }
        for (InetAddress address : addresses) {
            if (!inAllowedCidr(address) && blocked(address)) {
                return address;
            }
        }
        return null;
    }

    /**
     * Resolves host names for connections to user-supplied URLs by the rules of {@link #check}: a name that resolves
     * to any non-public address (unless allowlisted) does not resolve at all, so a connection can only be made to an
     * address validated in the same lookup.
     */
    public DnsResolver connectTimeResolver() {
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String name) throws UnknownHostException {
                String host = name.toLowerCase(Locale.ROOT);
                InetAddress[] addresses = InetAddress.getAllByName(host);
                InetAddress refused = firstRefused(host, addresses);
                if (refused != null) {
                    throw new UnknownHostException(name + " resolves to a non-public address ("
                            + refused.getHostAddress() + ")");
                }
                return addresses;
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
    }

    /**
     * Downloads a user-supplied URL (size-capped), connecting only to the validated address; redirects are
     * followed by hand, each hop validated again.
     */
    public Download download(String field, String url, Duration timeout) {
        Target target = check(field, url);
        for (int hop = 0; hop <= maxRedirects; hop++) {
            Target pinned = target;
            DnsResolver resolver = new DnsResolver() {
                @Override
                public InetAddress[] resolve(String host) throws UnknownHostException {
                    if (!host.equalsIgnoreCase(pinned.uri().getHost().replace("[", "").replace("]", ""))) {
                        throw new UnknownHostException("not the validated host: " + host);
                    }
                    return new InetAddress[] {pinned.address()};
                }

                @Override
                public String resolveCanonicalHostname(String host) {
                    return host;
                }
            };
            try (CloseableHttpClient client = HttpClients.custom()
                    .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDnsResolver(resolver)
                            .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(timeout))
                                    .setSocketTimeout(Timeout.of(timeout)).build()).build())
                    .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                    .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(timeout)).build())
                    .build()) {
                HttpGet get = new HttpGet(pinned.uri());
                Object result = client.execute(get, response -> {
                    int code = response.getCode();
                    if (code >= 300 && code < 400) {
                        Header location = response.getFirstHeader("Location");
                        return location == null ? refuse(field, "redirects without a Location")
                                : pinned.uri().resolve(location.getValue());
                    }
                    if (code != 200) {
                        return refuse(field, "could not be fetched (HTTP " + code + ")");
                    }
                    long length = response.getEntity() == null ? 0 : response.getEntity().getContentLength();
                    if (length > maxBytes) {
                        return refuse(field, "is larger than " + maxBytes + " bytes");
                    }
                    try (InputStream in = response.getEntity().getContent()) {
                        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                        if (bytes.length > maxBytes) {
                            return refuse(field, "is larger than " + maxBytes + " bytes");
                        }
                        Header type = response.getFirstHeader("Content-Type");
                        return new Download(bytes, type == null ? "application/octet-stream" : type.getValue(),
                                pinned.uri());
                    }
                });
                if (result instanceof ProblemException pe) {
                    throw pe;
                }
                if (result instanceof Download download) {
                    return download;
                }
                target = check(field, result.toString());
            } catch (IOException e) {
                throw refuse(field, "could not be fetched (" + e.getClass().getSimpleName() + ")");
            }
        }
        throw refuse(field, "redirects more than " + maxRedirects + " times");
    }

    static boolean blocked(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] a = address.getAddress();
        if (address instanceof Inet4Address) {
            return blockedV4(a, 0);
        }
        if (address instanceof Inet6Address) {
            return blockedV6(a);
        }
        return true;
    }

    private static boolean blockedV4(byte[] a, int at) {
        int b0 = a[at] & 0xff;
        int b1 = a[at + 1] & 0xff;
        int b2 = a[at + 2] & 0xff;
        return b0 == 0 || b0 == 10 || b0 == 127 || b0 >= 224                 // this-net, private, loopback, multicast/reserved
                || (b0 == 100 && b1 >= 64 && b1 <= 127)                       // CGNAT 100.64/10
                || (b0 == 169 && b1 == 254)                                   // link-local, cloud metadata
                || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168)
                || (b0 == 192 && b1 == 0 && b2 == 0)                          // IETF protocol assignments
                || (b0 == 192 && b1 == 0 && b2 == 2)                          // TEST-NET-1
                || (b0 == 192 && b1 == 88 && b2 == 99)                        // 6to4 relay anycast
                || (b0 == 198 && (b1 == 18 || b1 == 19))                      // benchmarking
                || (b0 == 198 && b1 == 51 && b2 == 100)                       // TEST-NET-2
                || (b0 == 203 && b1 == 0 && b2 == 113);                       // TEST-NET-3
    }

    /**
     * IPv6 is refused unless it is global unicast (2000::/3): that alone rules out IPv4-mapped ({@code ::ffff:0:0/96}),
     * IPv4-translated ({@code ::ffff:0:0:0/96}), IPv4-compatible, local-use NAT64 ({@code 64:ff9b:1::/48}),
     * discard-only, ULA and link-local, whatever a deny list forgets. Inside 2000::/3 the special-purpose blocks that
     * tunnel to or embed another address are refused too. The one exception is the well-known NAT64 prefix
     * {@code 64:ff9b::/96} (DNS64 on IPv6-only networks), judged by the IPv4 address it embeds.
     */
    private static boolean blockedV6(byte[] a) {
        int w0 = ((a[0] & 0xff) << 8) | (a[1] & 0xff);
        int w1 = ((a[2] & 0xff) << 8) | (a[3] & 0xff);
        if (w0 == 0x0064 && w1 == 0xff9b && allZero(a, 4, 12)) {
            return blockedV4(a, 12);                                          // NAT64 64:ff9b::/96
        }
        if ((w0 & 0xe000) != 0x2000) {
            return true;                                                      // not global unicast 2000::/3
        }
        return (w0 == 0x2001 && w1 < 0x0200)                                  // 2001::/23: Teredo, ORCHID, benchmarking
                || (w0 == 0x2001 && w1 == 0x0db8)                             // documentation
                || w0 == 0x2002                                               // 6to4 embeds IPv4
                || (w0 == 0x3fff && (w1 & 0xf000) == 0);                      // 3fff::/20 documentation
    }

    private static boolean allZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private boolean inAllowedCidr(InetAddress address) {
        return allowedCidrs.stream().anyMatch(c -> c.contains(address));
    }

    private boolean allowlistedLiteral(String host) {
        if (allowedCidrs.isEmpty() || !(isDottedQuad(host) || host.contains(":"))) {
            return false;
        }
        try {
            return inAllowedCidr(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static InetAddress literal(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isDottedQuad(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                    || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static ProblemException refuse(String field, String why) {
        return ProblemException.badRequest(field, "refused URL: " + why);
    }

    record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            String[] parts = text.split("/");
            try {
                return new Cidr(InetAddress.getByName(parts[0]).getAddress(), Integer.parseInt(parts[1]));
            } catch (Exception e) {
                throw new IllegalArgumentException("bad CIDR in HUB_SSRF_ALLOWLIST: " + text);
            }
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
