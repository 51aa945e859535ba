--
-- PostgreSQL database cluster dump
--

\restrict k

CREATE ROLE a;

\unrestrict k

--
-- PostgreSQL database cluster dump complete
--

