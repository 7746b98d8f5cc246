package dev.arbooth.internal.pickle;

/** Pickle opcode bytes (as named by Python's {@code pickletools}) and their names for messages. */
final class Opcodes {
    private Opcodes() {}

    static final int PROTO = 0x80;
    static final int FRAME = 0x95;
    static final int STOP = 0x2e;
    static final int MARK = 0x28;
    static final int EMPTY_DICT = 0x7d;
    static final int EMPTY_LIST = 0x5d;
    static final int EMPTY_TUPLE = 0x29;
    static final int DICT = 0x64;
    static final int LIST = 0x6c;
    static final int TUPLE = 0x74;
    static final int TUPLE1 = 0x85;
    static final int TUPLE2 = 0x86;
    static final int TUPLE3 = 0x87;
    static final int APPEND = 0x61;
    static final int APPENDS = 0x65;
    static final int SETITEM = 0x73;
    static final int SETITEMS = 0x75;
    static final int BINPUT = 0x71;
    static final int LONG_BINPUT = 0x72;
    static final int MEMOIZE = 0x94;
    static final int BINGET = 0x68;
    static final int LONG_BINGET = 0x6a;
    static final int SHORT_BINUNICODE = 0x8c;
    static final int BINUNICODE = 0x58;
    static final int BINUNICODE8 = 0x8d;
    static final int SHORT_BINBYTES = 0x43;
    static final int BINBYTES = 0x42;
    static final int BINBYTES8 = 0x8e;
    static final int BININT = 0x4a;
    static final int BININT1 = 0x4b;
    static final int BININT2 = 0x4d;
    static final int LONG1 = 0x8a;
    static final int LONG4 = 0x8b;
    static final int BINFLOAT = 0x47;
    static final int NONE = 0x4e;
    static final int NEWTRUE = 0x88;
    static final int NEWFALSE = 0x89;
    static final int GLOBAL = 0x63;
    static final int STACK_GLOBAL = 0x93;
    static final int BINPERSID = 0x51;
    static final int REDUCE = 0x52;
    static final int NEWOBJ = 0x81;
    static final int BUILD = 0x62;

    private static final String[] NAMES = new String[256];

    static {
        NAMES[0x28] = "MARK";
        NAMES[0x29] = "EMPTY_TUPLE";
        NAMES[0x2e] = "STOP";
        NAMES[0x30] = "POP";
        NAMES[0x31] = "POP_MARK";
        NAMES[0x32] = "DUP";
        NAMES[0x42] = "BINBYTES";
        NAMES[0x43] = "SHORT_BINBYTES";
        NAMES[0x46] = "FLOAT";
        NAMES[0x47] = "BINFLOAT";
        NAMES[0x49] = "INT";
        NAMES[0x4a] = "BININT";
        NAMES[0x4b] = "BININT1";
        NAMES[0x4c] = "LONG";
        NAMES[0x4d] = "BININT2";
        NAMES[0x4e] = "NONE";
        NAMES[0x50] = "PERSID";
        NAMES[0x51] = "BINPERSID";
        NAMES[0x52] = "REDUCE";
        NAMES[0x53] = "STRING";
        NAMES[0x54] = "BINSTRING";
        NAMES[0x55] = "SHORT_BINSTRING";
        NAMES[0x56] = "UNICODE";
        NAMES[0x58] = "BINUNICODE";
        NAMES[0x5d] = "EMPTY_LIST";
        NAMES[0x61] = "APPEND";
        NAMES[0x62] = "BUILD";
        NAMES[0x63] = "GLOBAL";
        NAMES[0x64] = "DICT";
        NAMES[0x65] = "APPENDS";
        NAMES[0x67] = "GET";
        NAMES[0x68] = "BINGET";
        NAMES[0x69] = "INST";
        NAMES[0x6a] = "LONG_BINGET";
        NAMES[0x6c] = "LIST";
        NAMES[0x6f] = "OBJ";
        NAMES[0x70] = "PUT";
        NAMES[0x71] = "BINPUT";
        NAMES[0x72] = "LONG_BINPUT";
        NAMES[0x73] = "SETITEM";
        NAMES[0x74] = "TUPLE";
        NAMES[0x75] = "SETITEMS";
        NAMES[0x7d] = "EMPTY_DICT";
        NAMES[0x80] = "PROTO";
        NAMES[0x81] = "NEWOBJ";
        NAMES[0x82] = "EXT1";
        NAMES[0x83] = "EXT2";
        NAMES[0x84] = "EXT4";
        NAMES[0x85] = "TUPLE1";
        NAMES[0x86] = "TUPLE2";
        NAMES[0x87] = "TUPLE3";
        NAMES[0x88] = "NEWTRUE";
        NAMES[0x89] = "NEWFALSE";
        NAMES[0x8a] = "LONG1";
        NAMES[0x8b] = "LONG4";
        NAMES[0x8c] = "SHORT_BINUNICODE";
        NAMES[0x8d] = "BINUNICODE8";
        NAMES[0x8e] = "BINBYTES8";
        NAMES[0x8f] = "EMPTY_SET";
        NAMES[0x90] = "ADDITEMS";
        NAMES[0x91] = "FROZENSET";
        NAMES[0x92] = "NEWOBJ_EX";
        NAMES[0x93] = "STACK_GLOBAL";
        NAMES[0x94] = "MEMOIZE";
        NAMES[0x95] = "FRAME";
        NAMES[0x96] = "BYTEARRAY8";
        NAMES[0x97] = "NEXT_BUFFER";
        NAMES[0x98] = "READONLY_BUFFER";
    }

    /**
     * Describes an opcode byte for a message.
     *
     * @param code the opcode byte, 0 to 255
     * @return e.g. {@code "pickle opcode INST (0x69)"} or {@code "unknown pickle opcode 0xff"}
     */
    static String describe(int code) {
        String name = NAMES[code & 0xFF];
        String hex = String.format("0x%02x", code & 0xFF);
        return name == null ? "unknown pickle opcode " + hex : "pickle opcode " + name + " (" + hex + ")";
    }
}
