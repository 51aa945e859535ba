--
-- PostgreSQL database dump
--

\restrict FuzzSeedKey0123456789

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: payments; Type: TABLE; Schema: public; Owner: opscheck
--

CREATE TABLE public.payments (
    id bigint NOT NULL,
    checkout_id text,
    status text NOT NULL,
    amount numeric(12,2) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    approved_at timestamp with time zone
);


ALTER TABLE public.payments OWNER TO opscheck;

--
-- Data for Name: payments; Type: TABLE DATA; Schema: public; Owner: opscheck
--

COPY public.payments (id, checkout_id, status, amount, created_at, approved_at) FROM stdin;
20001	chk_1	approved	49.90	2026-11-29 02:16:41.318302+00	2026-11-29 02:17:41.318302+00
20002	chk_2	approved	49.90	2026-11-28 22:46:41.318302+00	2026-11-28 22:47:41.318302+00
20003	chk_3	approved	49.90	2026-11-28 19:16:41.318302+00	2026-11-28 19:17:41.318302+00
20004	chk_4	approved	49.90	2026-11-28 15:46:41.318302+00	2026-11-28 15:47:41.318302+00
20005	chk_5	approved	49.90	2026-11-28 12:16:41.318302+00	2026-11-28 12:17:41.318302+00
20006	chk_6	approved	49.90	2026-11-28 08:46:41.318302+00	2026-11-28 08:47:41.318302+00
20007	chk_7	approved	49.90	2026-11-28 05:16:41.318302+00	2026-11-28 05:17:41.318302+00
20008	chk_8	approved	49.90	2026-11-28 01:46:41.318302+00	2026-11-28 01:47:41.318302+00
20009	chk_9	approved	49.90	2026-11-27 22:16:41.318302+00	2026-11-27 22:17:41.318302+00
20010	chk_10	approved	49.90	2026-11-27 18:46:41.318302+00	2026-11-27 18:47:41.318302+00
20011	chk_11	approved	49.90	2026