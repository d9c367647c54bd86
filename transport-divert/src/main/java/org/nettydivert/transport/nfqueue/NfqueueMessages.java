/*
 * Copyright 2026 The netty-divert Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *   https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.nettydivert.transport.nfqueue;

import static org.nettydivert.transport.nfqueue.LinuxAbi.*;

import io.netty.buffer.ByteBuf;
import java.nio.ByteOrder;

/**
 * The nfnetlink_queue messages an NFQUEUE channel writes (configuration, verdicts, batch
 * verdicts) and a flyweight that reads a {@code NFQNL_MSG_PACKET} in place. Netlink headers are
 * in host (little-endian) byte order, nfnetlink attribute payloads in network order. Nothing
 * here does I/O or allocates.
 */
public final class NfqueueMessages {
    public static final int VERDICT_TYPE = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_VERDICT;
    public static final int VERDICT_BATCH_TYPE = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_VERDICT_BATCH;
    public static final int CONFIG_TYPE = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_CONFIG;
    static final int PACKET_TYPE = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET;

    /**
     * The most header bytes of one verdict written back: nlmsghdr, nfgenmsg, verdict, mark,
     * NFQA_CT with CTA_MARK, CTA_LABELS and CTA_LABELS_MASK, payload attribute header.
     */
    public static final int VERDICT_HEADER = NLMSG_HDRLEN
            + NFGENMSG_SIZE
            + NLA_HDRLEN
            + VERDICT_HDR_SIZE
            + NLA_HDRLEN
            + 4
            + NLA_HDRLEN
            + NLA_HDRLEN
            + 4
            + 2 * (NLA_HDRLEN + CONNLABELS_SIZE)
            + NLA_HDRLEN;

    /** A verdict with neither mark nor payload. */
    public static final int BARE_VERDICT = NLMSG_HDRLEN + NFGENMSG_SIZE + NLA_HDRLEN + VERDICT_HDR_SIZE;

    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private NfqueueMessages() {}

    /** Starts a message of {@code type} to queue {@code queue}; returns its start, for {@link #endMessage}. */
    static int beginMessage(ByteBuf out, int type, int flags, int seq, int queue) {
        int start = out.writerIndex();
        out.writeIntLE(0).writeShortLE(type).writeShortLE(flags).writeIntLE(seq).writeIntLE(0);
        out.writeByte(0).writeByte(NFNETLINK_V0).writeShort(queue); // nfgenmsg: AF_UNSPEC, res_id big-endian
        return start;
    }

    static void putAttribute(ByteBuf out, int type, int payloadLength) {
        out.writeShortLE(NLA_HDRLEN + payloadLength).writeShortLE(type);
    }

    private static void alignWriter(ByteBuf out) {
        while ((out.writerIndex() & 3) != 0) {
            out.writeByte(0);
        }
    }

    /** Pads the message begun at {@code start} to four bytes and writes its length. */
    static void endMessage(ByteBuf out, int start) {
        alignWriter(out);
        out.setIntLE(start, out.writerIndex() - start);
    }

    /**
     * The four configuration requests, each to be acknowledged: bind the queue, copy mode PACKET
     * with {@code copyRange}, the queue length, and FAIL_OPEN on or off. Returns how many.
     */
    public static int putConfiguration(ByteBuf out, int queue, int copyRange, int queueMaxlen, boolean failOpen) {
        return putConfiguration(out, queue, copyRange, queueMaxlen, failOpen ? NFQA_CFG_F_FAIL_OPEN : 0);
    }

    /**
     * As above, with the queue flags {@code flags}, each of FAIL_OPEN and GSO on or off (the
     * mask names both, so that a flag left out is switched off rather than kept).
     */
    public static int putConfiguration(ByteBuf out, int queue, int copyRange, int queueMaxlen, int flags) {
        int seq = 1;
        int start = beginMessage(out, CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, seq++, queue);
        putAttribute(out, NFQA_CFG_CMD, CONFIG_CMD_SIZE);
        out.writeByte(NFQNL_CFG_CMD_BIND).writeByte(0).writeShort(0);
        endMessage(out, start);

        start = beginMessage(out, CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, seq++, queue);
        putAttribute(out, NFQA_CFG_PARAMS, CONFIG_PARAMS_SIZE);
        out.writeInt(copyRange).writeByte(NFQNL_COPY_PACKET);
        alignWriter(out);
        endMessage(out, start);

        start = beginMessage(out, CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, seq++, queue);
        putAttribute(out, NFQA_CFG_QUEUE_MAXLEN, 4);
        out.writeInt(queueMaxlen);
        endMessage(out, start);

        start = beginMessage(out, CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, seq++, queue);
        putAttribute(out, NFQA_CFG_FLAGS, 4);
        out.writeInt(flags);
        putAttribute(out, NFQA_CFG_MASK, 4);
        out.writeInt(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO);
        endMessage(out, start);
        return seq - 1;
    }

    /** A verdict for packet {@code id} with neither mark nor payload ({@link #BARE_VERDICT} bytes). */
    public static void putBareVerdict(ByteBuf out, int queue, long id, int verdict) {
        int start = beginMessage(out, VERDICT_TYPE, NLM_F_REQUEST, (int) id, queue);
        putAttribute(out, NFQA_VERDICT_HDR, VERDICT_HDR_SIZE);
        out.writeInt(verdict).writeInt((int) id);
        endMessage(out, start);
    }

    /** NFQNL_MSG_VERDICT_BATCH: {@code verdict} for every packet of the queue up to id {@code lastId}. */
    public static void putBatchVerdict(ByteBuf out, int queue, long lastId, int verdict) {
        int start = beginMessage(out, VERDICT_BATCH_TYPE, NLM_F_REQUEST, (int) lastId, queue);
        putAttribute(out, NFQA_VERDICT_HDR, VERDICT_HDR_SIZE);
        out.writeInt(verdict).writeInt((int) lastId);
        endMessage(out, start);
    }

    /**
     * The headers of an NF_ACCEPT verdict for packet {@code id}: with {@code mark} if {@code
     * withMark} (else the kernel keeps the packet's own), and the header of a payload attribute of
     * {@code payloadLength} bytes unless it is negative. The payload and its padding to four bytes
     * are not written, only counted in the message length: they follow in iovecs of their own.
     * Returns the start of the message.
     */
    public static int putAcceptHeaders(ByteBuf out, int queue, long id, boolean withMark, int mark, int payloadLength) {
        return putVerdictHeaders(out, queue, id, NF_ACCEPT, withMark, mark, -1, 0, 0, payloadLength);
    }

    /**
     * As {@link #putAcceptHeaders}, with {@code verdict} (NF_ACCEPT, NF_REPEAT, or NF_QUEUE with a
     * queue number, {@link LinuxAbi#nfQueueNr}), and an NFQA_CT attribute that sets the
     * connection's mark to {@code connmark} unless it is negative. The kernel reads NFQA_CT
     * (nfqnl_recv_verdict, nfqnl_ct_parse) only for a packet with a conntrack entry and when
     * nf_conntrack_netlink is loaded; it then sets ct->mark from CTA_MARK (ctnetlink_change_mark).
     * Mark and connmark go in before the payload, as libnetfilter_queue orders them, so that the
     * payload iovec comes last. Returns the start of the message.
     *
     * @param verdict the verdict word, in host order here, sent in network order
     * @param connmark the connection mark, 0 to 0xFFFFFFFF, or negative for none
     * @param labelsLow conntrack labels 0..63 to add (bit n: label n), with {@code labelsHigh}
     *     (labels 64..127); both 0 for none. They go in CTA_LABELS with themselves as
     *     CTA_LABELS_MASK, so the connection's other labels stay (nf_connlabels_replace), as
     *     32-bit words in host order, which is how the kernel reads them.
     * @return the index of the message in {@code out}
     */
    public static int putVerdictHeaders(
            ByteBuf out,
            int queue,
            long id,
            int verdict,
            boolean withMark,
            int mark,
            long connmark,
            long labelsLow,
            long labelsHigh,
            int payloadLength) {
        int start = beginMessage(out, VERDICT_TYPE, NLM_F_REQUEST, (int) id, queue);
        putAttribute(out, NFQA_VERDICT_HDR, VERDICT_HDR_SIZE);
        out.writeInt(verdict).writeInt((int) id);
        if (withMark) {
            putAttribute(out, NFQA_MARK, 4);
            out.writeInt(mark);
        }
        boolean withLabels = (labelsLow | labelsHigh) != 0;
        if (connmark >= 0 || withLabels) {
            int nested = (connmark >= 0 ? NLA_HDRLEN + 4 : 0) + (withLabels ? 2 * (NLA_HDRLEN + CONNLABELS_SIZE) : 0);
            putAttribute(out, NFQA_CT | NLA_F_NESTED, nested);
            if (withLabels) {
                putConnlabels(out, CTA_LABELS, labelsLow, labelsHigh);
                putConnlabels(out, CTA_LABELS_MASK, labelsLow, labelsHigh); // set these, keep the rest
            }
            if (connmark >= 0) {
                putAttribute(out, CTA_MARK, 4);
                out.writeInt((int) connmark);
            }
        }
        if (payloadLength < 0) {
            out.setIntLE(start, out.writerIndex() - start);
        } else {
            putAttribute(out, NFQA_PAYLOAD, payloadLength);
            out.setIntLE(start, out.writerIndex() - start + align4(payloadLength));
        }
        return start;
    }

    /**
     * A labels attribute: four u32 words in host order, word i holding labels 32i..32i+31 (bit
     * j of the word is label 32i+j), as nf_connlabels_replace reads them.
     */
    private static void putConnlabels(ByteBuf out, int type, long low, long high) {
        putAttribute(out, type, CONNLABELS_SIZE);
        putWords(out, low);
        putWords(out, high);
    }

    private static void putWords(ByteBuf out, long labels) {
        if (LITTLE_ENDIAN_HOST) {
            out.writeIntLE((int) labels).writeIntLE((int) (labels >>> 32));
        } else {
            out.writeInt((int) labels).writeInt((int) (labels >>> 32));
        }
    }

    /** The packet id of the packet message of {@code length} bytes at {@code m}, or -1. */
    public static long packetId(ByteBuf buf, int m, int length) {
        for (int a = m + NLMSG_HDRLEN + NFGENMSG_SIZE; a + NLA_HDRLEN <= m + length; ) {
            int attrLength = buf.getUnsignedShortLE(a);
            if (attrLength < NLA_HDRLEN) {
                break;
            }
            if ((buf.getUnsignedShortLE(a + 2) & NLA_TYPE_MASK) == NFQA_PACKET_HDR) {
                return buf.getUnsignedInt(a + NLA_HDRLEN);
            }
            a += align4(attrLength);
        }
        return -1;
    }

    /**
     * One {@code NFQNL_MSG_PACKET}, read in place: {@link #parse} fills the fields from the
     * message's attributes, and the payload stays where it is, at {@link #payload} in the buffer.
     * Reused for every message, so reading allocates nothing.
     */
    public static final class PacketView {
        /** The packet id, or -1 if the message had no packet header. */
        public long id;

        public int hook;
        public int mark;
        public int inIndex;
        public int outIndex;
        /** Index of the payload in the buffer, or -1 if the message carried none. */
        public int payload;

        public int payloadLength;
        public int skbInfo;
        /** The whole packet's length (NFQA_CAP_LEN), sent only when the payload was cut short; else 0. */
        public int capLength;

        // Metadata (see org.nettydivert.transport.PacketMetadata): absent reads 0 or -1, as named.
        public int physInIndex;
        public int physOutIndex;
        /** NFQA_HWADDR's length (0: none) and its bytes, the first in the high byte. */
        public int hwAddressLength;

        public long hwAddress;
        /** NFQA_TIMESTAMP in microseconds since the epoch, or -1. */
        public long timestampMicros;

        public int priority;
        /** NFQA_VLAN_TCI, or -1 without NFQA_VLAN. */
        public int vlanTci;

        public int vlanProto;
        /** NFQA_UID and NFQA_GID as unsigned values, or -1. */
        public long uid;

        public long gid;
        /** NFQA_CT_INFO, or -1. */
        public int ctInfo;
        /** CTA_ID inside NFQA_CT (unsigned), or -1. */
        public long ctId;

        public int ctMark;
        public int ctStatus;
        /** Where NFQA_SECCTX's bytes are in the buffer, or -1, and how many. */
        public int secctx;

        public int secctxLength;

        /** Reads the packet message of {@code length} bytes at {@code m} of {@code buf}. */
        public void parse(ByteBuf buf, int m, int length) {
            id = -1;
            hook = -1;
            mark = 0;
            inIndex = 0;
            outIndex = 0;
            payload = -1;
            payloadLength = 0;
            skbInfo = 0;
            capLength = 0;
            physInIndex = 0;
            physOutIndex = 0;
            hwAddressLength = 0;
            hwAddress = 0;
            timestampMicros = -1;
            priority = 0;
            vlanTci = -1;
            vlanProto = 0;
            uid = -1;
            gid = -1;
            ctInfo = -1;
            ctId = -1;
            ctMark = 0;
            ctStatus = 0;
            secctx = -1;
            secctxLength = 0;
            int end = m + length;
            for (int a = m + NLMSG_HDRLEN + NFGENMSG_SIZE; a + NLA_HDRLEN <= end; ) {
                int attrLength = buf.getUnsignedShortLE(a);
                if (attrLength < NLA_HDRLEN || a + attrLength > end) {
                    break;
                }
                int data = a + NLA_HDRLEN;
                switch (buf.getUnsignedShortLE(a + 2) & NLA_TYPE_MASK) {
                    case NFQA_PACKET_HDR:
                        id = buf.getUnsignedInt(data);
                        hook = buf.getUnsignedByte(data + 6);
                        break;
                    case NFQA_MARK:
                        mark = buf.getInt(data);
                        break;
                    case NFQA_IFINDEX_INDEV:
                        inIndex = buf.getInt(data);
                        break;
                    case NFQA_IFINDEX_OUTDEV:
                        outIndex = buf.getInt(data);
                        break;
                    case NFQA_PAYLOAD:
                        payload = data;
                        payloadLength = attrLength - NLA_HDRLEN;
                        break;
                    case NFQA_CAP_LEN:
                        capLength = buf.getInt(data);
                        break;
                    case NFQA_SKB_INFO:
                        skbInfo = buf.getInt(data);
                        break;
                    default:
                        metadata(buf, buf.getUnsignedShortLE(a + 2) & NLA_TYPE_MASK, data, attrLength - NLA_HDRLEN);
                        break;
                }
                a += align4(attrLength);
            }
        }

        /** Reads one metadata attribute of {@code type} with {@code size} bytes at {@code data}. */
        private void metadata(ByteBuf buf, int type, int data, int size) {
            switch (type) {
                case NFQA_IFINDEX_PHYSINDEV:
                    physInIndex = size >= 4 ? buf.getInt(data) : 0;
                    break;
                case NFQA_IFINDEX_PHYSOUTDEV:
                    physOutIndex = size >= 4 ? buf.getInt(data) : 0;
                    break;
                case NFQA_HWADDR:
                    if (size >= PACKET_HW_SIZE) {
                        hwAddressLength = Math.min(buf.getUnsignedShort(data), 8);
                        hwAddress = buf.getLong(data + 4);
                    }
                    break;
                case NFQA_TIMESTAMP:
                    if (size >= PACKET_TIMESTAMP_SIZE) {
                        timestampMicros = buf.getLong(data) * 1_000_000 + buf.getLong(data + 8);
                    }
                    break;
                case NFQA_PRIORITY:
                    priority = size >= 4 ? buf.getInt(data) : 0;
                    break;
                case NFQA_UID:
                    uid = size >= 4 ? buf.getUnsignedInt(data) : -1;
                    break;
                case NFQA_GID:
                    gid = size >= 4 ? buf.getUnsignedInt(data) : -1;
                    break;
                case NFQA_CT_INFO:
                    ctInfo = size >= 4 ? buf.getInt(data) : -1;
                    break;
                case NFQA_SECCTX:
                    secctx = data;
                    // The kernel counts the C string's terminating NUL (SELinux does); it is no part of the label.
                    while (size > 0 && buf.getByte(data + size - 1) == 0) {
                        size--;
                    }
                    secctxLength = size;
                    break;
                case NFQA_VLAN:
                case NFQA_CT:
                    nested(buf, type, data, data + size);
                    break;
                default:
                    break;
            }
        }

        /** Reads the attributes nested in NFQA_VLAN or NFQA_CT, from {@code a} up to {@code end}. */
        private void nested(ByteBuf buf, int outer, int a, int end) {
            if (outer == NFQA_VLAN) {
                vlanTci = 0; // present, even if its parts were not
            }
            while (a + NLA_HDRLEN <= end) {
                int attrLength = buf.getUnsignedShortLE(a);
                if (attrLength < NLA_HDRLEN || a + attrLength > end) {
                    break;
                }
                int type = buf.getUnsignedShortLE(a + 2) & NLA_TYPE_MASK;
                int data = a + NLA_HDRLEN;
                int size = attrLength - NLA_HDRLEN;
                if (outer == NFQA_VLAN) {
                    if (type == NFQA_VLAN_TCI && size >= 2) {
                        vlanTci = buf.getUnsignedShort(data);
                    } else if (type == NFQA_VLAN_PROTO && size >= 2) {
                        vlanProto = buf.getUnsignedShort(data);
                    }
                } else if (size >= 4) {
                    if (type == CTA_ID) {
                        ctId = buf.getUnsignedInt(data);
                    } else if (type == CTA_MARK) {
                        ctMark = buf.getInt(data);
                    } else if (type == CTA_STATUS) {
                        ctStatus = buf.getInt(data);
                    }
                }
                a += align4(attrLength);
            }
        }

        /** Whether the packet came in on its way in (its interface is the input device). */
        public boolean isInbound() {
            return hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN || hook == NF_INET_FORWARD;
        }

        /** Whether the kernel copied only the first bytes of the packet. */
        public boolean isTruncated() {
            return capLength > payloadLength;
        }
    }
}
