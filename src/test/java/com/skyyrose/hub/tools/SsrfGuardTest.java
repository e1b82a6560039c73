package com.skyyrose.hub.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyyrose.hub.api.ProblemException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The address rules of the SSRF guard, without a network. */
class SsrfGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
            "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "224.0.0.1", "255.255.255.255",
            "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
            "64:ff9b::7f00:1", "2002:7f00:1::1", "198.18.0.1"})
    void privateAndSpecialAddressesAreBlocked(String literal) throws Exception {
        assertThat(SsrfGuard.blocked(InetAddress.getByName(literal))).as(literal).isTrue();
    }

    /**
     * IPv6 ranges that embed, translate to or tunnel to another address, or are not globally routed: refused whatever
     * they embed (NAT64 local-use, IPv4-translated, compatible, 6to4, Teredo, ORCHID, discard, documentation), and the
     * well-known NAT64 prefix when the IPv4 address it embeds is private.
     */
    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b:1::808:808", "64:ff9b:1::a00:1", "64:ff9b:1:ffff::1", "::ffff:0:7f00:1",
            "::ffff:0:808:808", "::808:808", "::a00:1", "64:ff9b::a00:1", "64:ff9b::c0a8:101", "64:ff9b::a9fe:a9fe",
            "64:ff9b::6440:1", "2002:a00:1::1", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:2::1", "2001:10::1", "2001:20::1", "2001:db8::1", "3fff::1", "100::1", "5f00::1", "4000::1",
            "192.88.99.1"})
    void ipv6TranslationTunnelAndReservedRangesAreBlocked(String literal) throws Exception {
        assertThat(SsrfGuard.blocked(InetAddress.getByName(literal))).as(literal).isTrue();
    }

    @Test
    void anIpv4MappedLiteralIsRefusedEvenWhenItMapsAPublicAddress() {
        SsrfGuard guard = new SsrfGuard("", 1024, 3);
        for (String url : new String[] {"https://[::ffff:8.8.8.8]/x.png", "https://[::ffff:808:808]/x.png",
                "https://[0:0:0:0:0:ffff:8.8.8.8]/x.png", "https://[::ffff:0:8.8.8.8]/x.png",
                "https://[64:ff9b:1::8.8.8.8]/x.png", "https://[64:ff9b::10.0.0.1]/x.png"}) {
            assertThatThrownBy(() -> guard.check("url", url)).as(url).isInstanceOf(ProblemException.class)
                    .hasMessageContaining("refused URL");
        }
        // DNS64 on an IPv6-only network: the well-known NAT64 prefix in front of a public IPv4 address is fetchable
        assertThat(guard.check("url", "https://[64:ff9b::8.8.8.8]/x.png").address().getHostAddress())
                .isEqualTo("64:ff9b:0:0:0:0:808:808");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "151.101.1.69", "100.128.0.1", "172.32.0.1", "2606:4700::1111",
            "2a00:1450:4001:81b::200e", "64:ff9b::808:808", "2001:4860:4860::8888"})
    void publicAddressesPass(String literal) throws Exception {
        assertThat(SsrfGuard.blocked(InetAddress.getByName(literal))).as(literal).isFalse();
    }

    @Test
    void schemesNumericHostsAndCredentialsAreRefusedBeforeResolving() {
        SsrfGuard guard = new SsrfGuard("", 1024, 3);
        for (String url : new String[] {"http://8.8.8.8/x.png", "file:///etc/passwd", "ftp://8.8.8.8/x",
                "https://2130706433/", "https://0x7f.0.0.1/", "https://017700000001/", "https://user:pw@8.8.8.8/",
                "https:///nohost", "jar:file:/x!/y"}) {
            assertThatThrownBy(() -> guard.check("url", url)).as(url).isInstanceOf(ProblemException.class)
                    .hasMessageContaining("refused URL");
        }
        assertThat(guard.check("url", "https://8.8.8.8/x.png").address().getHostAddress()).isEqualTo("8.8.8.8");
    }

    @Test
    void theAllowlistAdmitsNamedHostsAndCidrs() {
        SsrfGuard guard = new SsrfGuard("localhost, 10.9.0.0/16", 1024, 3);
        assertThat(guard.check("url", "http://localhost:8080/a.png").address().isLoopbackAddress()).isTrue();
        assertThat(guard.check("url", "http://10.9.3.4/a.png").address().getHostAddress()).isEqualTo("10.9.3.4");
        assertThatThrownBy(() -> guard.check("url", "https://10.8.0.1/a.png")).isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> guard.check("url", "http://127.0.0.1/a.png")).isInstanceOf(ProblemException.class);
    }

    @Test
    void connectionsResolveOnlyToAddressesTheRulesAllow() throws Exception {
        // what a user URL's connection may reach is decided at connect time too (a DNS answer may change after check)
        assertThatThrownBy(() -> new SsrfGuard("", 1024, 0).connectTimeResolver().resolve("localhost"))
                .isInstanceOf(java.net.UnknownHostException.class).hasMessageContaining("non-public address");
        assertThat(new SsrfGuard("localhost", 1024, 0).connectTimeResolver().resolve("localhost")).isNotEmpty();
        assertThat(new SsrfGuard("127.0.0.0/8,::1/128", 1024, 0).connectTimeResolver().resolve("127.0.0.1"))
                .containsExactly(InetAddress.getByName("127.0.0.1"));
    }
}
